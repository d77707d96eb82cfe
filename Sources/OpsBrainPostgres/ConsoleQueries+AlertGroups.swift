import Foundation
import OpsBrainCore

/// How the Alerts view groups its rows.
public enum AlertGrouping: String, Sendable, CaseIterable {
    case none, type, sop

    /// The next grouping, in the order `=` cycles through them.
    public var next: AlertGrouping { Self.allCases[(Self.allCases.firstIndex(of: self)! + 1) % Self.allCases.count] }
}

/// One group of alerts: an alert type, or an SOP (with an instance target, a row of its own under it).
public struct ConsoleAlertGroup: Sendable, Equatable {
    /// The name of the group of alerts no run took.
    public static let noSOP = "(no SOP)"
    /// The alert type or the SOP's name (`(no SOP)` for alerts no run took).
    public var name: String
    /// The instance target, for a row under its SOP.
    public var instance: String?
    public var total: Int
    /// Firing and neither snoozed nor silenced.
    public var firing: Int
    /// Alerts that joined a run already open (a storm), collapsed into this row.
    public var joinedStorm: Int
    /// The worst severity among the group's firing alerts (else among all).
    public var worstSeverity: String
    public var latest: Date

    public init(name: String, instance: String? = nil, total: Int, firing: Int, joinedStorm: Int, worstSeverity: String, latest: Date) {
        self.name = name
        self.instance = instance
        self.total = total
        self.firing = firing
        self.joinedStorm = joinedStorm
        self.worstSeverity = worstSeverity
        self.latest = latest
    }
}

extension ConsoleQueries {
    /// The alerts of the last 7 days, and those still firing, grouped by type (groups with firing alerts first, the worst and newest first), or by
    /// the SOP of their run with each instance target in a row under it (by name). At most `limit` groups.
    public func alertGroups(by grouping: AlertGrouping, filter: ListFilter? = nil, limit: Int = 500) throws -> [ConsoleAlertGroup] {
        let parameters = SQLParameters()
        let condition = Self.filterCondition(filter, haystack: Self.alertHaystack, parameters)
        let key = grouping == .sop ? "coalesce(x.sop_name, \(parameters.add(ConsoleAlertGroup.noSOP)))" : "a.alert_type"
        let instance = grouping == .sop ? "x.instance_key" : "NULL::text"
        let firing = AlertActionRepository.firingCondition(alias: "a")
        let order = grouping == .sop ? "1, 2 NULLS FIRST" : "(count(*) FILTER (WHERE \(firing)) > 0) DESC, rank, latest DESC"
        return try connection.query("""
            SELECT \(key) AS name, \(instance) AS instance, count(*) AS total, count(*) FILTER (WHERE \(firing)) AS firing,
                   count(*) FILTER (WHERE a.correlated_execution_id IS NOT NULL) AS joined,
                   min(\(AlertSort.severityRank) + CASE WHEN \(firing) THEN 0 ELSE 10 END) AS rank, max(a.created_at) AS latest
            FROM intelligence_alerts a
            LEFT JOIN LATERAL (SELECT s.sop_name, e.instance_key FROM self_healing_executions e
                               JOIN self_healing_sops s ON s.id = e.sop_id
                               WHERE e.id = coalesce(a.correlated_execution_id,
                                   (SELECT e2.id FROM self_healing_executions e2 WHERE e2.alert_id = a.id AND NOT e2.dry_run
                                    ORDER BY e2.started_at DESC LIMIT 1))) x ON true
            WHERE \(condition) AND (\(firing) OR a.created_at > now() - interval '7 days')
            GROUP BY 1, 2 ORDER BY \(order)
            LIMIT \(parameters.add(limit))
            """, parameters.values).rows.map { row in
            ConsoleAlertGroup(name: row.string("name") ?? "?", instance: row.string("instance"), total: row.int("total") ?? 0,
                              firing: row.int("firing") ?? 0, joinedStorm: row.int("joined") ?? 0,
                              worstSeverity: Self.severity(rank: (row.int("rank") ?? 4) % 10), latest: row.date("latest") ?? Date())
        }
    }

    private static func severity(rank: Int) -> String {
        ["critical", "high", "medium", "low"].indices.contains(rank) ? ["critical", "high", "medium", "low"][rank] : "info"
    }
}
