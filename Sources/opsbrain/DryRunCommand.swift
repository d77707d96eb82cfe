import ArgumentParser
import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPostgres

/// `opsbrain sop dry-run NAME`: real diagnosis, planned fixes, nothing changed.
struct DryRunCommand: OpsBrainSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "dry-run",
        abstract: "Run an SOP's diagnosis for real and show exactly what its fixes would do, without doing it.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The SOP name.") var name: String
    @Option(help: "An existing alert id to diagnose.") var alert: String?
    @Option(name: .customLong("type"), help: "Compose an alert: its type.") var alertType: String?
    @Option(help: "Compose an alert: its title.") var title: String?
    @Option(help: "Compose an alert: its severity.") var severity = "high"
    @Option(name: .customLong("label"), help: "Compose an alert: a key=value label (repeatable).") var labels: [String] = []

    func execute() throws {
        let config = try global.loadConfig()
        let connection = try global.openDatabase(config: config)
        defer { connection.close() }
        let repository = ExecutionRepository(connection: connection)
        let (snapshot, exists) = try alertSnapshot(repository)
        let conninfo = try global.databaseLocation(config: config).conninfo
        let id = try DryRun.run(sopName: name, alert: snapshot, alertExists: exists, connection: connection,
                                settings: EngineAssembly.settings(config: config), registry: EngineAssembly.registry(conninfo: conninfo, quarantineRetention: config.engine.quarantineRetention))
        guard let detail = try repository.detail(id) else { throw CLIError("dry run \(id) not found") }
        print(ExecutionReport.card(detail))
    }

    private func alertSnapshot(_ repository: ExecutionRepository) throws -> (AlertSnapshot, Bool) {
        if let alert {
            guard let id = UUID(uuidString: alert), let snapshot = try repository.alertSnapshot(id) else {
                throw CLIError("no alert \(alert)")
            }
            return (snapshot, true)
        }
        let composed = AlertSnapshot(source: "dry-run", alertType: alertType ?? "dry_run", title: title ?? "Dry run of \(name)",
                                     severity: Severity.normalized(severity) ?? .high, labels: try AlertInput.labels(labels))
        return (composed, false)
    }
}
