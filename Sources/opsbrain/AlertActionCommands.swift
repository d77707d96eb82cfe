import ArgumentParser
import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainPostgres

/// `opsbrain alert ack ID`: someone is on it (who and when show on every console).
struct AlertAckCommand: OpsBrainSubcommand {
    static let configuration = CommandConfiguration(commandName: "ack", abstract: "Acknowledge a firing alert.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The alert id (or its first characters).") var id: String

    func execute() throws {
        try AlertActionRun.perform(global: global, id: id) { context in
            let alert = try context.repository.acknowledge(context.alertID, by: context.person)
            return "acknowledged \(AlertActionRun.name(alert)) as \(context.byline)"
        }
    }
}

/// `opsbrain alert snooze ID --for 30m`: out of the firing count until the time passes.
struct AlertSnoozeCommand: OpsBrainSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "snooze", abstract: "Take a firing alert out of the firing count for a while; it counts again when that ends.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The alert id (or its first characters).") var id: String
    @Option(name: .customLong("for"), help: "How long: 30s, 15m, 2h, 1d (up to 30d).") var duration: String

    func execute() throws {
        let length = try AlertActionRun.duration(duration)
        try AlertActionRun.perform(global: global, id: id) { context in
            let alert = try context.repository.snooze(context.alertID, for: length, by: context.person)
            let until = alert.snoozedUntil.map(AlertActionState.utcText) ?? "?"
            return "snoozed \(AlertActionRun.name(alert)) until \(until) as \(context.byline)"
        }
    }
}

/// `opsbrain alert resolve ID --reason TEXT`: closed by hand, with why.
struct AlertResolveCommand: OpsBrainSubcommand {
    static let configuration = CommandConfiguration(commandName: "resolve", abstract: "Resolve a firing alert by hand, with a reason.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The alert id (or its first characters).") var id: String
    @Option(help: "Why it is resolved (kept on the alert and in the audit trail).") var reason: String

    func execute() throws {
        let reason = try AlertAction.reason(reason)
        try AlertActionRun.perform(global: global, id: id) { context in
            let alert = try context.repository.resolve(context.alertID, reason: reason, by: context.person)
            return "resolved \(AlertActionRun.name(alert)) as \(context.byline): \(reason)"
        }
    }
}

/// `opsbrain alert silence ID --for 2h`: a silence at the Alertmanager that sent the alert.
struct AlertSilenceCommand: OpsBrainSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "silence", abstract: "Silence a firing Alertmanager alert at its Alertmanager for a while.",
        discussion: "The silence matches all the alert's labels. With several Alertmanagers configured, the one that sent the "
            + "alert is used (its externalURL); --alertmanager names one when the alert does not say.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The alert id (or its first characters).") var id: String
    @Option(name: .customLong("for"), help: "How long: 30s, 15m, 2h, 1d (up to 30d).") var duration: String
    @Option(help: "The silence's comment in Alertmanager.") var comment: String?
    @Option(help: "The configured alertmanager target to silence at.") var alertmanager: String?

    func execute() throws {
        let length = try AlertActionRun.duration(duration)
        try AlertActionRun.perform(global: global, id: id) { context in
            let action = AlertSilenceAction(connection: context.connection, config: context.config)
            let silence = try action.silence(context.alertID, for: length, comment: comment, alertmanager: alertmanager, by: context.person)
            let alert = try context.repository.state(context.alertID)
            return "silenced \(alert.map(AlertActionRun.name) ?? context.alertID.uuidString.lowercased()) at alertmanager "
                + "'\(silence.alertmanager)' until \(AlertActionState.utcText(silence.endsAt)) as \(context.byline) (silence \(silence.id))"
        }
    }
}

/// What the alert action commands share: the database, the alert the typed id names, and who acts.
struct AlertActionRun {
    let connection: PostgresConnection
    let config: OpsBrainConfig
    let repository: AlertActionRepository
    let alertID: UUID
    let person: Approver

    /// "ana from 10.0.0.7".
    var byline: String { person.name + (person.address.map { " from \($0)" } ?? "") }

    /// Opens the database, resolves `id`, runs `body` and prints the line it returns.
    static func perform(global: GlobalOptions, id: String, _ body: (AlertActionRun) throws -> String) throws {
        let config = try global.loadConfig()
        let connection = try global.openDatabase(config: config)
        defer { connection.close() }
        let repository = AlertActionRepository(connection: connection, redactor: EngineAssembly.settings(config: config).redactor)
        let run = AlertActionRun(connection: connection, config: config, repository: repository,
                                 alertID: try repository.resolveID(id), person: ApproverIdentity.current())
        print(try body(run))
    }

    /// `--for`'s duration, or an error naming the option.
    static func duration(_ text: String) throws -> Duration {
        do {
            return try AlertAction.duration(text)
        } catch let error as AlertActionInputError {
            throw AlertActionInputError("--for: \(error)")
        }
    }

    /// "3d9f2ef4 (Disk full on db-1)".
    static func name(_ alert: AlertActionState) -> String {
        "\(alert.id.uuidString.lowercased().prefix(8)) (\(alert.title))"
    }
}

extension AlertActionInputError: CLIUsageFailure {}
extension IDPrefixError: CLIUsageFailure {}
