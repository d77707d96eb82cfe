import Foundation
import OpsBrainCore

/// One line of `opsbrain sop list`.
public struct SOPSummary: Sendable {
    public var name: String
    public var category: String
    public var risk: String
    public var autoFix: Bool
    public var requiresApproval: Bool
    public var version: Int
    public var timesExecuted: Int
    public var timesSuccessful: Int
    public var retired: Bool

    /// Successful share of executions in percent, or nil before the first one.
    public var successRate: Double? {
        timesExecuted > 0 ? Double(timesSuccessful) * 100 / Double(timesExecuted) : nil
    }
}

/// Everything `opsbrain sop show` prints.
public struct SOPDetail: Sendable {
    public var summary: SOPSummary
    public var description: String
    public var severity: String
    public var agent: String
    public var sourcePath: String
    public var sourceText: String
    public var averageResolutionMs: Int?
    public var lastExecutedAt: Date?
    public var lastFailureAt: Date?
    public var lastFailureReason: String?
    public var versions: [(version: Int, syncedAt: Date, executions: Int, successes: Int)]
}

extension SOPRepository {
    private static let summaryColumns = """
        sop_name, category, risk_level, auto_fix_enabled, requires_approval, version, times_executed,
        times_successful, retired_at IS NOT NULL AS retired
        """

    /// All SOPs, active first, by category and name.
    public func list(includeRetired: Bool = false) throws -> [SOPSummary] {
        try connection.query("""
            SELECT \(Self.summaryColumns) FROM self_healing_sops
            WHERE $1 OR retired_at IS NULL ORDER BY retired_at IS NOT NULL, category, sop_name
            """, [includeRetired]).rows.map(Self.summary)
    }

    /// One SOP with its statistics and version history, or nil when unknown.
    public func detail(name: String) throws -> SOPDetail? {
        guard let row = try connection.query("""
            SELECT \(Self.summaryColumns), id, description, severity, agent, source_path, source_text,
                   avg_resolution_time_ms, last_executed_at, last_failure_at, last_failure_reason
            FROM self_healing_sops WHERE sop_name = $1
            """, [name]).first, let id = row.string("id") else { return nil }
        let versions = try connection.query("""
            SELECT v.version, v.synced_at,
                   count(e.id) FILTER (WHERE e.was_effective_fix IS NOT NULL) AS executions,
                   count(e.id) FILTER (WHERE e.was_effective_fix) AS successes
            FROM self_healing_sop_versions v
            LEFT JOIN self_healing_executions e ON e.sop_id = v.sop_id AND e.sop_version = v.version
            WHERE v.sop_id = $1::uuid GROUP BY v.version, v.synced_at ORDER BY v.version
            """, [id]).rows.map { ($0.int("version") ?? 0, $0.date("synced_at") ?? Date(timeIntervalSince1970: 0),
                                   $0.int("executions") ?? 0, $0.int("successes") ?? 0) }
        return SOPDetail(
            summary: Self.summary(row), description: row.string("description") ?? "",
            severity: row.string("severity") ?? "", agent: row.string("agent") ?? "",
            sourcePath: row.string("source_path") ?? "", sourceText: row.string("source_text") ?? "",
            averageResolutionMs: row.int("avg_resolution_time_ms"), lastExecutedAt: row.date("last_executed_at"),
            lastFailureAt: row.date("last_failure_at"), lastFailureReason: row.string("last_failure_reason"),
            versions: versions)
    }

    private static func summary(_ row: Row) -> SOPSummary {
        SOPSummary(name: row.string("sop_name") ?? "", category: row.string("category") ?? "",
                   risk: row.string("risk_level") ?? "", autoFix: row.bool("auto_fix_enabled") ?? false,
                   requiresApproval: row.bool("requires_approval") ?? true, version: row.int("version") ?? 1,
                   timesExecuted: row.int("times_executed") ?? 0, timesSuccessful: row.int("times_successful") ?? 0,
                   retired: row.bool("retired") ?? false)
    }
}
