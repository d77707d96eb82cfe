import Foundation
import OpsBrainCore

/// Where a list row sits in its newest-first order: its timestamp (as PostgreSQL printed it) and id.
public struct KeysetKey: Sendable, Hashable {
    /// The sort timestamp's text, exactly as read (no precision lost); nil for id-ordered lists.
    public var time: String?
    public var id: String

    public init(time: String?, id: String) {
        self.time = time
        self.id = id
    }
}

/// Which slice of a newest-first list to read; every slice is an index range scan, so its cost
/// does not grow with the table.
public enum KeysetPage: Sendable, Equatable {
    case newest(limit: Int)
    case olderThan(KeysetKey, limit: Int)
    case newerThan(KeysetKey, limit: Int)
    case oldest(limit: Int)
    /// The rows from `newest` down to `oldest`, both included (a refresh of a loaded window).
    case between(newest: KeysetKey, oldest: KeysetKey, limit: Int)
}

/// A regular-expression filter (PostgreSQL syntax, case-insensitive); `inverted` keeps the rows that do not match.
public struct ListFilter: Sendable, Equatable {
    public var pattern: String
    public var inverted: Bool

    public init(pattern: String, inverted: Bool = false) {
        self.pattern = pattern
        self.inverted = inverted
    }
}

/// Numbered `$n` parameters collected while building a statement.
final class SQLParameters {
    private(set) var values: [(any PostgresEncodable)?] = []

    /// Adds a value and returns its placeholder.
    func add(_ value: (any PostgresEncodable)?) -> String {
        values.append(value)
        return "$\(values.count)"
    }
}

/// Builds the keyset part of a statement for a list ordered by `(time, id) DESC` or `id DESC`.
struct KeysetSQL {
    /// `a.created_at` or nil for lists ordered by id alone.
    let timeColumn: String?
    let idColumn: String
    let idType: String

    /// The WHERE condition, ORDER BY, LIMIT and whether the rows come back oldest first (to be reversed).
    func clause(_ page: KeysetPage, _ parameters: SQLParameters) -> (condition: String, order: String, limit: Int, reversed: Bool) {
        let descending = timeColumn.map { "\($0) DESC, \(idColumn) DESC" } ?? "\(idColumn) DESC"
        let ascending = timeColumn.map { "\($0), \(idColumn)" } ?? idColumn
        switch page {
        case .newest(let limit): return ("true", descending, limit, false)
        case .oldest(let limit): return ("true", ascending, limit, true)
        case .olderThan(let key, let limit): return (compare("<", key, parameters), descending, limit, false)
        case .newerThan(let key, let limit): return (compare(">", key, parameters), ascending, limit, true)
        case .between(let newest, let oldest, let limit):
            return (compare("<=", newest, parameters) + " AND " + compare(">=", oldest, parameters), descending, limit, false)
        }
    }

    private func compare(_ op: String, _ key: KeysetKey, _ parameters: SQLParameters) -> String {
        let id = parameters.add(key.id) + "::\(idType)"
        guard let timeColumn else { return "\(idColumn) \(op) \(id)" }
        return "(\(timeColumn), \(idColumn)) \(op) (\(parameters.add(key.time))::timestamptz, \(id))"
    }
}

/// The console's reads: keyset-paginated lists and the counts of the status bar.
public struct ConsoleQueries {
    public let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// A filter condition over `haystack` (a text expression), or `true` without a filter.
    static func filterCondition(_ filter: ListFilter?, haystack: String, _ parameters: SQLParameters) -> String {
        guard let filter, !filter.pattern.isEmpty else { return "true" }
        return "((\(haystack)) ~* \(parameters.add(filter.pattern))) <> \(parameters.add(filter.inverted))::bool"
    }

    /// Runs a list statement and returns its rows newest first.
    func list(_ sql: String, _ parameters: SQLParameters, reversed: Bool) throws -> [Row] {
        let rows = try connection.query(sql, parameters.values, repeating: .safeToRepeat).rows
        return reversed ? rows.reversed() : rows
    }

    /// The numbers of the status bar; snoozed and silenced alerts are not counted firing until their time ends.
    public func counts() throws -> ConsoleCounts {
        let row = try connection.query("""
            SELECT (SELECT count(*) FROM intelligence_alerts WHERE \(AlertActionRepository.firingCondition())) AS firing,
                   (SELECT count(*) FROM self_healing_approvals WHERE decision IS NULL) AS pending,
                   (SELECT count(*) FROM self_healing_executions
                     WHERE status IN ('pending', 'diagnosing', 'fixing', 'verifying', 'rolling_back')) AS running
            """).first
        return ConsoleCounts(firingAlerts: row?.int("firing") ?? 0, pendingApprovals: row?.int("pending") ?? 0,
                             runningExecutions: row?.int("running") ?? 0)
    }

    /// Active SOP names, for the dry-run form.
    public func sopNames() throws -> [String] {
        try connection.query("SELECT sop_name FROM self_healing_sops WHERE retired_at IS NULL ORDER BY sop_name")
            .rows.compactMap { $0.string("sop_name") }
    }
}

/// The status bar's counts.
public struct ConsoleCounts: Sendable, Equatable {
    public var firingAlerts: Int
    public var pendingApprovals: Int
    public var runningExecutions: Int

    public init(firingAlerts: Int = 0, pendingApprovals: Int = 0, runningExecutions: Int = 0) {
        self.firingAlerts = firingAlerts
        self.pendingApprovals = pendingApprovals
        self.runningExecutions = runningExecutions
    }
}
