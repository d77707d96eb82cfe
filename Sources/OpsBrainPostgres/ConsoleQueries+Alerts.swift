import Foundation
import OpsBrainCore

/// One alert as the console lists it, with its latest execution.
public struct ConsoleAlert: Sendable, Equatable {
    public var id: UUID
    public var key: KeysetKey
    public var createdAt: Date
    public var lastSeenAt: Date
    public var source: String
    public var alertType: String
    public var title: String
    public var severity: String
    public var status: String
    public var count: Int
    public var fingerprint: String?
    public var labels: [String: String]
    public var evidence: JSONValue
    public var executionID: UUID?
    public var executionStatus: String?
    /// What people did about it: acknowledged, snoozed, silenced, resolved by hand (migration 0011).
    public var handling = AlertHandling()

    public init(id: UUID, key: KeysetKey, createdAt: Date, lastSeenAt: Date, source: String, alertType: String, title: String,
                severity: String, status: String, count: Int, fingerprint: String? = nil, labels: [String: String] = [:],
                evidence: JSONValue = .object([:]), executionID: UUID? = nil, executionStatus: String? = nil) {
        self.id = id
        self.key = key
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.source = source
        self.alertType = alertType
        self.title = title
        self.severity = severity
        self.status = status
        self.count = count
        self.fingerprint = fingerprint
        self.labels = labels
        self.evidence = evidence
        self.executionID = executionID
        self.executionStatus = executionStatus
    }
}

/// How the Alerts view orders its rows: newest first (paged), or by what matters in triage.
public enum AlertSort: String, Sendable, CaseIterable {
    case age, severity, status, count

    /// The ORDER BY terms before the newest-first tiebreak (nothing for `age`).
    var terms: String? {
        switch self {
        case .age: return nil
        case .severity: return Self.severityRank
        case .status: return "CASE a.status WHEN 'firing' THEN 0 WHEN 'resolved' THEN 1 ELSE 2 END"
        case .count: return "a.count DESC"
        }
    }

    /// An alert's severity as a rank, the worst first (0 critical … 4 info).
    static let severityRank = "CASE a.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END"

    /// The next key, in the order `s` cycles through them.
    public var next: AlertSort { Self.allCases[(Self.allCases.firstIndex(of: self)! + 1) % Self.allCases.count] }
}

extension ConsoleQueries {
    static let alertKeyset = KeysetSQL(timeColumn: "a.created_at", idColumn: "a.id", idType: "uuid")
    /// What the `/` filter of the Alerts view matches: type, title, source, severity and status (the type
    /// first, so `^type ` picks one type exactly).
    static let alertHaystack = "a.alert_type || ' ' || a.title || ' ' || a.source || ' ' || a.severity || ' ' || a.status"

    /// Alerts newest first: one keyset page, optionally filtered by a regex over title, type, source, severity and status.
    /// Under a sort other than `age`, the first `page` rows in that order (no keyset paging).
    public func alerts(_ page: KeysetPage, filter: ListFilter? = nil, sort: AlertSort = .age) throws -> [ConsoleAlert] {
        let parameters = SQLParameters()
        let keyset = Self.alertKeyset.clause(page, parameters)
        let condition = Self.filterCondition(filter, haystack: Self.alertHaystack, parameters)
        let rows = try list("""
            SELECT a.id, a.created_at, a.last_seen_at, a.source, a.alert_type, a.title, a.severity, a.status, a.count,
                   a.fingerprint, a.labels::text AS labels_text, left(a.evidence::text, 4000) AS evidence_text,
                   x.id AS execution_id, x.status AS execution_status, a.acknowledged_by, a.acknowledged_at, a.snoozed_by,
                   a.snoozed_until, a.silenced_by, a.silenced_until, a.resolved_by, a.resolution_reason
            FROM intelligence_alerts a
            LEFT JOIN LATERAL (SELECT e.id, e.status FROM self_healing_executions e WHERE e.alert_id = a.id AND NOT e.dry_run
                               ORDER BY e.started_at DESC LIMIT 1) x ON true
            WHERE \(keyset.condition) AND \(condition)
            ORDER BY \(sort.terms.map { $0 + ", " } ?? "")\(keyset.order) LIMIT \(keyset.limit)
            """, parameters, reversed: keyset.reversed)
        return rows.compactMap(Self.alert)
    }

    private static func alert(_ row: Row) -> ConsoleAlert? {
        guard let id = row.uuid("id"), let created = row.string("created_at") else { return nil }
        let labels = row.string("labels_text").flatMap { try? JSONValue(parsing: $0) }?.objectValue?
            .compactMapValues { $0.stringValue ?? $0.jsonText } ?? [:]
        let evidence = row.string("evidence_text").flatMap { try? JSONValue(parsing: $0) } ?? .string(row.string("evidence_text") ?? "")
        var alert = ConsoleAlert(id: id, key: KeysetKey(time: created, id: id.uuidString.lowercased()),
                            createdAt: row.date("created_at") ?? Date(), lastSeenAt: row.date("last_seen_at") ?? Date(),
                            source: row.string("source") ?? "", alertType: row.string("alert_type") ?? "",
                            title: row.string("title") ?? "", severity: row.string("severity") ?? "", status: row.string("status") ?? "",
                            count: row.int("count") ?? 1, fingerprint: row.string("fingerprint"), labels: labels, evidence: evidence,
                            executionID: row.uuid("execution_id"), executionStatus: row.string("execution_status"))
        alert.handling = AlertHandling(acknowledgedBy: row.string("acknowledged_by"), acknowledgedAt: row.date("acknowledged_at"),
                                       snoozedBy: row.string("snoozed_by"), snoozedUntil: row.date("snoozed_until"),
                                       silencedBy: row.string("silenced_by"), silencedUntil: row.date("silenced_until"),
                                       resolvedBy: row.string("resolved_by"), resolutionReason: row.string("resolution_reason"))
        return alert
    }
}

/// What people did about an alert, as every console shows it.
public struct AlertHandling: Sendable, Equatable {
    public var acknowledgedBy: String?
    public var acknowledgedAt: Date?
    public var snoozedBy: String?
    public var snoozedUntil: Date?
    public var silencedBy: String?
    public var silencedUntil: Date?
    public var resolvedBy: String?
    public var resolutionReason: String?

    public init(acknowledgedBy: String? = nil, acknowledgedAt: Date? = nil, snoozedBy: String? = nil, snoozedUntil: Date? = nil,
                silencedBy: String? = nil, silencedUntil: Date? = nil, resolvedBy: String? = nil, resolutionReason: String? = nil) {
        self.acknowledgedBy = acknowledgedBy
        self.acknowledgedAt = acknowledgedAt
        self.snoozedBy = snoozedBy
        self.snoozedUntil = snoozedUntil
        self.silencedBy = silencedBy
        self.silencedUntil = silencedUntil
        self.resolvedBy = resolvedBy
        self.resolutionReason = resolutionReason
    }

    /// The state a person put the alert in, at `now`: silenced and snoozed only until their end.
    public func state(at now: Date) -> State {
        if resolvedBy != nil { return .resolvedByHand }
        if let until = silencedUntil, until > now { return .silenced(until: until) }
        if let until = snoozedUntil, until > now { return .snoozed(until: until) }
        if acknowledgedBy != nil { return .acknowledged }
        return .untouched
    }

    /// Where a person has put the alert.
    public enum State: Sendable, Equatable {
        case untouched, acknowledged, resolvedByHand
        case snoozed(until: Date)
        case silenced(until: Date)
    }
}
