import Dispatch
import Foundation
import OpsBrainPostgres
import Synchronization

/// A bounded set of workers that carry claimed executions side by side, each on its own connection.
///
/// The engine's loop claims a run only while a worker is free, and never claims a run that one of
/// its workers still holds (`inFlight`). A slow step thus holds up one worker, not every incident.
final class ExecutionWorkers: Sendable {
    /// How many runs may be worked on at once (`engine.concurrency`).
    let size: Int
    private let connections: PostgresPool
    private let running = Mutex<Set<UUID>>([])
    /// Signalled each time a worker finishes, so a draining pass can claim again at once.
    private let finished = DispatchSemaphore(value: 0)

    init(conninfo: String, size: Int) {
        self.size = max(1, size)
        connections = PostgresPool(conninfo: conninfo, applicationName: "opsbrain-worker", size: self.size)
    }

    /// The runs a worker holds now: the claim query skips them.
    var inFlight: Set<UUID> { running.withLock { $0 } }

    /// True while a worker is free to take another run.
    var hasFreeWorker: Bool { running.withLock { $0.count < size } }

    /// True while no worker holds a run.
    var isIdle: Bool { running.withLock { $0.isEmpty } }

    /// Starts `work` for `id` on a free worker with a connection of its own. The caller checked
    /// `hasFreeWorker`; `onError` hears what the work threw (the connection could not be had, too).
    func start(_ id: UUID, work: @escaping @Sendable (PostgresConnection) throws -> Void,
               onError: @escaping @Sendable (Error) -> Void) {
        running.withLock { _ = $0.insert(id) }
        let thread = Thread { [self] in
            do {
                try connections.with(timeout: .seconds(30)) { try work($0) }
            } catch {
                onError(error)
            }
            running.withLock { _ = $0.remove(id) }
            finished.signal()
        }
        thread.name = "opsbrain-worker"
        thread.start()
    }

    /// Waits until a worker finishes or `timeout` passes; true when one finished.
    @discardableResult
    func awaitFinish(timeout: Duration) -> Bool {
        finished.wait(timeout: .now() + .milliseconds(Int(max(0, timeout.milliseconds)))) == .success
    }

    /// Waits until every worker has finished (the engine stops only after its runs are put down).
    func drain() {
        while !isIdle { awaitFinish(timeout: .milliseconds(100)) }
    }
}
