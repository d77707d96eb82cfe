import NIOPosix
import Synchronization

/// Runs blocking work (libpq, files) off the event loop on a fixed set of threads, with a bounded queue.
///
/// A request that finds every thread busy and the queue full is refused at once with `Full`,
/// which the server answers 503 with `Retry-After`: a burst never makes requests hang.
public final class BlockingWorkPool: Sendable {
    /// Every thread is busy and the queue is full.
    public struct Full: Error, CustomStringConvertible {
        public var description: String { "every worker is busy" }
    }

    private let threads: NIOThreadPool
    private let capacity: Int
    private let admitted = Mutex(0)

    /// `threads` run the work; at most `threads + queued` jobs are admitted at once.
    public init(threads: Int, queued: Int) {
        self.threads = NIOThreadPool(numberOfThreads: max(1, threads))
        self.capacity = max(1, threads) + max(0, queued)
        self.threads.start()
    }

    /// Runs `body` on a pool thread, or throws `Full` without waiting when the pool is saturated.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        guard admit() else { throw Full() }
        defer { admitted.withLock { $0 -= 1 } }
        return try await threads.runIfActive(body)
    }

    /// Jobs admitted and not yet finished.
    public var inFlight: Int { admitted.withLock { $0 } }

    /// Stops the threads once the queued work is done.
    public func shutdown() async {
        try? await threads.shutdownGracefully()
    }

    private func admit() -> Bool {
        admitted.withLock { count in
            guard count < capacity else { return false }
            count += 1
            return true
        }
    }
}
