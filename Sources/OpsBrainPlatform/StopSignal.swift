import Dispatch
import Synchronization

/// A stop request for a blocking loop: set once, seen by every check, and it ends waits early.
///
/// The loops that talk to PostgreSQL block, so they run on threads of their own rather than on
/// the concurrency pool; this is how their service tells them to finish.
public final class StopSignal: Sendable {
    private struct State {
        var stopped = false
        var sleepers: [ObjectIdentifier: DispatchSemaphore] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// True once `set()` was called.
    public var isSet: Bool { state.withLock { $0.stopped } }

    /// Asks the loop to stop, and wakes it from any wait.
    public func set() {
        let sleepers = state.withLock { current -> [DispatchSemaphore] in
            current.stopped = true
            return Array(current.sleepers.values)
        }
        sleepers.forEach { $0.signal() }
    }

    /// Waits up to `duration`; returns true at once, or as soon as, the signal is set.
    @discardableResult
    public func wait(_ duration: Duration) -> Bool {
        let wake = DispatchSemaphore(value: 0)
        let key = ObjectIdentifier(wake)
        let alreadyStopped = state.withLock { current -> Bool in
            if !current.stopped { current.sleepers[key] = wake }
            return current.stopped
        }
        guard !alreadyStopped else { return true }
        let (seconds, attoseconds) = duration.components
        let nanoseconds = max(0, Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
        _ = wake.wait(timeout: .now() + .nanoseconds(nanoseconds))
        return state.withLock { current in
            current.sleepers[key] = nil
            return current.stopped
        }
    }
}
