import ArgumentParser
import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainPostgres

/// `opsbrain incident export ID`: one incident, whole, as a postmortem draft.
struct IncidentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "incident", abstract: "Look at one incident whole.",
                                                    subcommands: [Export.self])

    /// The draft's file format.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case markdown, json
    }

    struct Export: OpsBrainSubcommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a postmortem draft of an incident.",
            discussion: "The alert, the alerts grouped into it, every run (retries, re-runs, rollbacks) with its steps, the approvals "
                + "(who, from where, when), the notifications sent and the audit trail in time order; what ran and the evidence; "
                + "the time to each stage; the SOP and its version; open questions for the author.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "An alert or execution id, whole or its first characters (the 8 the console shows).") var id: String
        @Option(help: "markdown or json.") var format: Format = .markdown
        @Option(help: "Write the draft to this file (replaced whole, never left half-written) instead of standard output.")
        var output: String?

        func execute() throws {
            let config = try global.loadConfig()
            let connection = try global.openDatabase(config: config)
            defer { connection.close() }
            let incidents = IncidentRepository(connection: connection)
            guard let timeline = try incidents.timeline(for: try incidents.resolve(id)) else {
                throw IncidentLookupError("no alert or execution \(id)")
            }
            let renderer = PostmortemRenderer(timeline.redacted(by: EngineAssembly.settings(config: config).redactor))
            let text = format == .json ? renderer.json() : renderer.markdown()
            guard let output else { return print(text, terminator: "") }
            do {
                // Foundation writes a temporary file beside it and renames it over the target.
                try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw CLIError("cannot write \(output): \(error.localizedDescription)")
            }
            print("wrote \(output)")
        }
    }
}

/// A bad id is the user's input: exit 2.
extension IncidentLookupError: CLIUsageFailure {}
