import Foundation
import OpsBrainCore
import OpsBrainPostgres

/// Runs an SOP's diagnosis for real against an alert and records what its fixes would do, without doing it.
public enum DryRun {
    /// Runs the dry run and returns the execution id (status `dry_run`, plans in `fix_actions_taken`).
    public static func run(sopName: String, alert: AlertSnapshot, alertExists: Bool, connection: PostgresConnection,
                           settings: EngineSettings, registry: RunnerRegistry) throws -> UUID {
        let catalog = try SOPCatalog.load(connection, settings: settings)
        guard let entry = catalog.entries[sopName] else { throw StepFailure("no active SOP named '\(sopName)' (run 'opsbrain sop sync')") }
        let repository = ExecutionRepository(connection: connection)
        let match = Matcher(sops: [entry.definition]).bestMatch(for: alert)
        let id = try connection.transaction { tx -> UUID in
            let id = try repository.openExecutionRow(alertID: alertExists ? alert.id : nil, sop: (entry.id, entry.version, sopName),
                                                     match: match, mode: settings.mode,
                                                     maxAttempts: entry.definition.verification.attempts,
                                                     placement: entry.selection.map { InstancePlacement(choice: $0.choose(labels: alert.labels)) },
                                                     dryRun: true, in: tx)
            try AuditTrail.append(kind: "dry_run_started", actor: "engine:\(settings.engineID)",
                                  message: "dry run of \(sopName) for '\(alert.title)'" + (match == nil ? " (its trigger does not match)" : ""),
                                  executionID: id, alertID: alertExists ? alert.id : nil, sopName: sopName, in: tx)
            return id
        }
        guard let record = try repository.load(id) else { throw StepFailure("dry run \(id) vanished") }
        var runner = ExecutionRunner(repository: repository, registry: registry, settings: settings, catalog: catalog)
        runner.composedAlert = alert
        runner.waitsInPlace = true
        try runner.diagnose(record)
        return id
    }
}
