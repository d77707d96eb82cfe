import Foundation
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPostgres

/// Runs a dry run on its own thread and connection, so the UI stays responsive while the checks run.
enum DryRunWorker {
    /// Starts `request`; the outcome arrives in the mailbox as `.dryRunFinished` or `.dryRunFailed`.
    static func start(_ request: DryRunRequest, configuration: ConsoleConfiguration, mailbox: EventMailbox) {
        let thread = Thread {
            do {
                let connection = try PostgresConnection(conninfo: configuration.conninfo, applicationName: "opsbrain-console-dryrun")
                defer { connection.close() }
                let (alert, exists) = try snapshot(request.alert, connection: connection)
                let id = try DryRun.run(sopName: request.sopName, alert: alert, alertExists: exists, connection: connection,
                                        settings: configuration.engineSettings, registry: configuration.registry)
                mailbox.post(.dryRunFinished(id))
            } catch {
                mailbox.post(.dryRunFailed("\(error)"))
            }
        }
        thread.name = "opsbrain-dry-run"
        thread.start()
    }

    private static func snapshot(_ choice: DryRunRequest.AlertChoice, connection: PostgresConnection) throws -> (AlertSnapshot, Bool) {
        switch choice {
        case .composed(let alert): return (alert, false)
        case .existing(let id):
            guard let alert = try ExecutionRepository(connection: connection).alertSnapshot(id) else {
                throw TerminalError("no alert \(id.uuidString.lowercased())")
            }
            return (alert, true)
        }
    }
}
