import ArgumentParser
import Foundation
import OpsBrainCore
import OpsBrainPostgres

/// `opsbrain alert`: put alerts into the pipeline by hand, and act on them as a person.
struct AlertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alert", abstract: "Fire alerts by hand; acknowledge, snooze, resolve or silence them.",
        discussion: "ID is an alert's full id or its first characters (the 8 every list shows).",
        subcommands: [Fire.self, AlertAckCommand.self, AlertSnoozeCommand.self, AlertResolveCommand.self, AlertSilenceCommand.self])

    struct Fire: OpsBrainSubcommand {
        static let configuration = CommandConfiguration(
            abstract: "Insert an alert; a running engine picks it up within a second.",
            discussion: "With --fingerprint, an alert still firing with that fingerprint is counted again instead (its id is printed).")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("type"), help: "The alert type (matched against SOP triggers).") var alertType: String
        @Option(help: "The title.") var title: String
        @Option(help: "info, low, medium, high or critical.") var severity: String = "medium"
        @Option(name: .customLong("label"), help: "A label as key=value (repeatable).") var labels: [String] = []
        @Option(help: "Evidence as a JSON object.") var evidence: String = "{}"
        @Option(help: "A fingerprint for deduplication.") var fingerprint: String?

        func execute() throws {
            let evidenceValue = try AlertInput.evidence(evidence)
            let labelMap = try AlertInput.labels(labels)
            guard Severity.normalized(severity) != nil else { throw CLIError("unknown severity '\(severity)': use info, low, medium, high or critical") }
            let connection = try global.openDatabase(config: try global.loadConfig())
            defer { connection.close() }
            let stored = try IntakeRepository(connection: connection).storeFiring(
                source: "cli", alertType: alertType, title: title, severity: severity, labels: labelMap, evidence: evidenceValue,
                fingerprint: fingerprint)
            if stored.deduplicated, let fingerprint {
                FileHandle.standardError.write(Data(("deduplicated: an alert with fingerprint '\(fingerprint)' is still firing;"
                                                     + " counted it again (count \(stored.count))\n").utf8))
            }
            print(stored.id.uuidString.lowercased())
        }
    }
}

/// Parsing of alert fields typed on the command line.
enum AlertInput {
    static func evidence(_ text: String) throws -> JSONValue {
        do {
            let value = try JSONValue(parsing: text)
            guard value.objectValue != nil else { throw CLIError("--evidence must be a JSON object") }
            return value
        } catch let error as JSONParseError {
            throw CLIError("--evidence: \(error)")
        }
    }

    static func labels(_ pairs: [String]) throws -> [String: String] {
        var labels: [String: String] = [:]
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else { throw CLIError("--label '\(pair)' is not key=value") }
            labels[parts[0]] = parts[1]
        }
        return labels
    }
}
