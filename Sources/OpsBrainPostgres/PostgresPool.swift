import Foundation

/// A small pool of connections for request handlers: each request borrows one and gives it back.
///
/// A connection that broke is dropped; the next borrower opens a fresh one, so a database that
/// comes back is used again without a restart.
public final class PostgresPool: @unchecked Sendable {
    private let conninfo: String
    private let applicationName: String
    private let limit: Int
    private let lock = NSLock()
    private let available: DispatchSemaphore
    private var idle: [PostgresConnection] = []

    public init(conninfo: String, applicationName: String, size: Int = 8) {
        self.conninfo = conninfo
        self.applicationName = applicationName
        self.limit = size
        self.available = DispatchSemaphore(value: size)
    }

    /// Runs `body` with a connection; waits at most `timeout` for one to be free.
    public func with<T>(timeout: Duration = .seconds(5), _ body: (PostgresConnection) throws -> T) throws -> T {
        guard available.wait(timeout: .now() + .milliseconds(Int(timeout.components.seconds * 1000))) == .success else {
            throw PostgresError(kind: .connection, message: "all \(limit) database connections are busy")
        }
        defer { available.signal() }
        let connection = try lock.withLock { idle.popLast() } ?? PostgresConnection(conninfo: conninfo, applicationName: applicationName)
        do {
            let result = try body(connection)
            lock.withLock { idle.append(connection) }
            return result
        } catch {
            if connection.isConnected { lock.withLock { idle.append(connection) } } else { connection.close() }
            throw error
        }
    }
}
