import Foundation
import OpsBrainPlatform

/// A blocking loop started on a thread for a test, as the engine process's service would run it.
public final class BackgroundLoop: Sendable {
    private let signal = StopSignal()
    private let finished = DispatchSemaphore(value: 0)

    /// Starts `loop` at once.
    public init(_ loop: @escaping @Sendable (StopSignal) -> Void) {
        Thread { [signal, finished] in
            loop(signal)
            finished.signal()
        }.start()
    }

    /// Sets the stop signal and waits up to `timeout` for the loop to end; false when it did not.
    @discardableResult
    public func stop(timeout: TimeInterval = 15) -> Bool {
        signal.set()
        guard finished.wait(timeout: .now() + timeout) == .success else { return false }
        finished.signal()
        return true
    }
}
