import Dispatch
import Foundation
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPostgres

/// The healing engine on a background thread of the console process; it tells the UI when it stops.
final class LocalEngine: @unchecked Sendable {
    let engine: HealingEngine
    private let finished = DispatchSemaphore(value: 0)

    init(engine: HealingEngine) { self.engine = engine }

    /// Starts the engine's thread.
    func start(mailbox: EventMailbox) {
        let thread = Thread { [engine, finished] in
            do {
                try engine.run()
                mailbox.post(.engineStopped(nil))
            } catch {
                mailbox.post(.engineStopped("\(error)"))
            }
            finished.signal()
        }
        thread.name = "opsbrain-engine"
        thread.start()
    }

    /// Asks the engine to stop and waits for it up to `timeout`; false when it did not finish in time.
    @discardableResult
    func stop(timeout: TimeInterval) -> Bool {
        engine.stop()
        return finished.wait(timeout: .now() + timeout) == .success
    }
}

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
