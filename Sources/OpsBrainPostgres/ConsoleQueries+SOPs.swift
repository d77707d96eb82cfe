import Foundation
import OpsBrainCore

/// An SOP's statistics for the console, with its latest outcomes for a sparkline.
public struct ConsoleSOPStats: Sendable, Equatable {
    public var name: String
    public var category: String
    public var risk: String
    public var version: Int
    public var autoFix: Bool
    public var requiresApproval: Bool
    public var modeOverride: String?
    public var timesExecuted: Int
    public var timesSuccessful: Int
    public var averageResolutionMs: Int?
    /// When the last fix that counts in the statistics ended.
    public var lastExecutedAt: Date?
    /// When the newest outcome of any kind (the sparkline's last mark) ended.
    public var lastRunAt: Date?
    public var lastFailureAt: Date?
    public var lastFailureReason: String?
    /// The latest outcomes, oldest first, as the statistics count them: a fix that did not work is
    /// `failed` whatever status it ended in, one that worked is `success` (or `rolled_back` when a
    /// person undid it), and runs that fixed nothing keep their status (escalated, rejected, not_needed).
    public var recentOutcomes: [String]

    public init(name: String, category: String, risk: String, version: Int, autoFix: Bool, requiresApproval: Bool,
                modeOverride: String? = nil, timesExecuted: Int = 0, timesSuccessful: Int = 0, averageResolutionMs: Int? = nil,
                lastExecutedAt: Date? = nil, lastRunAt: Date? = nil, lastFailureAt: Date? = nil, lastFailureReason: String? = nil,
                recentOutcomes: [String] = []) {
        self.name = name
        self.category = category
        self.risk = risk
        self.version = version
        self.autoFix = autoFix
        self.requiresApproval = requiresApproval
        self.modeOverride = modeOverride
        self.timesExecuted = timesExecuted
        self.timesSuccessful = timesSuccessful
        self.averageResolutionMs = averageResolutionMs
        self.lastExecutedAt = lastExecutedAt
        self.lastRunAt = lastRunAt
        self.lastFailureAt = lastFailureAt
        self.lastFailureReason = lastFailureReason
        self.recentOutcomes = recentOutcomes
    }

    /// Successful fixes in percent, or nil before the first one finished.
    public var successRate: Int? { timesExecuted > 0 ? timesSuccessful * 100 / timesExecuted : nil }

    /// How the SOP may fix: `auto`, `approval` or `no`, with a mode override after a slash.
    public var fixMode: String {
        let base = autoFix ? (requiresApproval ? "approval" : "auto") : "no"
        return modeOverride.map { "\(base)/\($0)" } ?? base
    }
}

extension ConsoleQueries {
    /// Final statuses that count as an outcome in the sparkline.
    static let outcomeStatuses = "('success', 'failed', 'escalated', 'rejected', 'rolled_back', 'not_needed')"
    /// An execution's mark as the statistics count it (`recordOutcome`, `recordHarmful`); a rollback of a
    /// run the statistics never judged (resolved by hand) is neutral.
    static let outcomeMark = """
        CASE WHEN x.was_effective_fix = false THEN 'failed' WHEN x.status = 'rolled_back' AND x.was_effective_fix THEN 'rolled_back'
             WHEN x.status = 'rolled_back' THEN 'not_needed' WHEN x.was_effective_fix THEN 'success' ELSE x.status END
        """

    /// Active SOPs by category and name, each with its latest `recent` outcomes (at most `limit` SOPs).
    public func sopStats(filter: ListFilter? = nil, recent: Int = 20, limit: Int = 1000) throws -> [ConsoleSOPStats] {
        let parameters = SQLParameters()
        let condition = Self.filterCondition(filter, haystack: "s.sop_name || ' ' || s.category || ' ' || s.risk_level", parameters)
        let recentParameter = parameters.add(recent)
        return try connection.query("""
            SELECT s.sop_name, s.category, s.risk_level, s.version, s.auto_fix_enabled, s.requires_approval, s.mode_override,
                   s.times_executed, s.times_successful, s.avg_resolution_time_ms, s.last_executed_at, s.last_failure_at,
                   s.last_failure_reason,
                   (SELECT max(coalesce(x.completed_at, x.started_at)) FROM self_healing_executions x
                    WHERE x.sop_id = s.id AND x.status IN \(Self.outcomeStatuses) AND NOT x.dry_run) AS last_run_at,
                   (SELECT coalesce(array_to_json(array_agg(r.outcome ORDER BY r.ended, r.id)), '[]'::json)::text
                    FROM (SELECT \(Self.outcomeMark) AS outcome, coalesce(x.completed_at, x.started_at) AS ended, x.id
                          FROM self_healing_executions x
                          WHERE x.sop_id = s.id AND x.status IN \(Self.outcomeStatuses) AND NOT x.dry_run
                          ORDER BY ended DESC, x.id DESC LIMIT \(recentParameter)) r) AS recent
            FROM self_healing_sops s
            WHERE s.retired_at IS NULL AND \(condition)
            ORDER BY s.category, s.sop_name LIMIT \(limit)
            """, parameters.values).rows.map(Self.sopStats)
    }

    private static func sopStats(_ row: Row) -> ConsoleSOPStats {
        ConsoleSOPStats(
            name: row.string("sop_name") ?? "", category: row.string("category") ?? "", risk: row.string("risk_level") ?? "",
            version: row.int("version") ?? 1, autoFix: row.bool("auto_fix_enabled") ?? false,
            requiresApproval: row.bool("requires_approval") ?? true, modeOverride: row.string("mode_override"),
            timesExecuted: row.int("times_executed") ?? 0, timesSuccessful: row.int("times_successful") ?? 0,
            averageResolutionMs: row.int("avg_resolution_time_ms"), lastExecutedAt: row.date("last_executed_at"), lastRunAt: row.date("last_run_at"),
            lastFailureAt: row.date("last_failure_at"), lastFailureReason: row.string("last_failure_reason"),
            recentOutcomes: row.json("recent")?.arrayValue?.compactMap(\.stringValue) ?? [])
    }
}
