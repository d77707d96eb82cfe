import Dispatch
import OpsBrainConsole
import Synchronization

extension EngineProcess {
    /// Runs the group from synchronous code (a command's main thread) until it ends; `onReady` is
    /// called once intake listens (at once without intake), and a service's failure is rethrown.
    public func runBlocking(onReady: @Sendable () -> Void = {}) throws {
        let done = DispatchSemaphore(value: 0)
        let failure = Mutex<(any Error)?>(nil)
        Task {
            do { try await run() } catch { failure.withLock { $0 = error } }
            done.signal()
        }
        if intake?.waitUntilListening(timeout: .seconds(30)) ?? true { onReady() }
        done.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// This process as the console's in-process engine.
    public var localEngine: LocalEngine {
        let finished = DispatchSemaphore(value: 0)
        return LocalEngine(
            start: { [self] report in
                Task {
                    do {
                        try await run()
                        report(nil)
                    } catch {
                        report("\(error)")
                    }
                    finished.signal()
                }
            },
            stop: { [self] timeout in
                Task { await shutdown() }
                let (seconds, attoseconds) = timeout.components
                return finished.wait(timeout: .now() + .milliseconds(Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)))
                    == .success
            })
    }
}
