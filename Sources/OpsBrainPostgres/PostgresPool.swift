import Foundation
import Synchronization

/// A small pool of connections for request handlers: each request borrows one and gives it back.
///
/// A connection that broke is dropped; the next borrower opens a fresh one, so a database that
/// comes back is used again without a restart.
public final class PostgresPool: Sendable {
    private let conninfo: String
    private let applicationName: String
    private let limit: Int
    private let available: DispatchSemaphore
    /// Connections nobody holds; each is used by one borrower at a time, never shared.
    private let idle = Mutex<[UnsafeTransfer<PostgresConnection>]>([])

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
        let connection = try idle.withLock { $0.popLast()?.value }
            ?? PostgresConnection(conninfo: conninfo, applicationName: applicationName)
        do {
            let result = try body(connection)
            idle.withLock { $0.append(UnsafeTransfer(connection)) }
            return result
        } catch {
            if connection.isConnected { idle.withLock { $0.append(UnsafeTransfer(connection)) } } else { connection.close() }
            throw error
        }
    }
}

/// A connection handed between threads through the pool: only the one borrower holding it uses it.
struct UnsafeTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
