import Foundation
import OpsBrainPostgres

/// Waits for a count in the database to reach what a test expects, polling every 200 ms.
public enum DatabasePolling {
    /// Runs `sql` (a query returning one `n` column) until `until(n)` holds or `timeout` passes;
    /// returns the last value (the caller asserts on it).
    public static func count(_ connection: PostgresConnection, _ sql: String, timeout: TimeInterval = 40,
                             until: (Int) -> Bool) throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        var value = -1
        while Date() < deadline {
            value = try connection.query(sql).first?.int("n") ?? -1
            if until(value) { return value }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return value
    }

    /// Polls `condition` every 250 ms until it holds; throws, naming `what`, when `timeout` passes first.
    public static func waitUntil(_ what: String, timeout: TimeInterval, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? condition()) == true { return }
            Thread.sleep(forTimeInterval: 0.25)
        }
        throw PollTimeout(description: "not reached within \(Int(timeout)) s: \(what)")
    }
}

/// A condition a test waited for did not come about in time.
public struct PollTimeout: Error, CustomStringConvertible {
    public var description: String
}
