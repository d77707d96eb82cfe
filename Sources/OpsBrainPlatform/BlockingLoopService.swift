import Foundation
import ServiceLifecycle

/// A blocking loop run as a service of the process's group, on a thread of its own.
///
/// A graceful shutdown or a cancellation sets the loop's `StopSignal`; the service returns when
/// the loop does, and a loop that throws fails the service (and so, by default, the group).
public struct BlockingLoopService: Service, CustomStringConvertible {
    public let description: String
    private let loop: @Sendable (StopSignal) throws -> Void

    /// `name` names the thread and the service in logs.
    public init(name: String, loop: @escaping @Sendable (StopSignal) throws -> Void) {
        self.description = name
        self.loop = loop
    }

    public func run() async throws {
        let stop = StopSignal()
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await runOnThread(stop)
            } onCancel: {
                stop.set()
            }
        } onGracefulShutdown: {
            stop.set()
        }
    }

    private func runOnThread(_ stop: StopSignal) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let thread = Thread { [loop] in
                do {
                    try loop(stop)
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = description
            thread.start()
        }
    }
}
