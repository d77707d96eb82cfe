import Foundation
import OpsBrainCore

/// One row of the audit trail as the console shows it.
public struct ConsoleAuditEntry: Sendable, Equatable {
    public var id: Int
    public var at: Date
    public var actor: String
    public var kind: String
    public var executionID: UUID?
    public var alertID: UUID?
    public var sopName: String?
    public var message: String
    public var details: JSONValue

    public init(id: Int, at: Date, actor: String, kind: String, executionID: UUID? = nil, alertID: UUID? = nil, sopName: String? = nil,
                message: String, details: JSONValue = .object([:])) {
        self.id = id
        self.at = at
        self.actor = actor
        self.kind = kind
        self.executionID = executionID
        self.alertID = alertID
        self.sopName = sopName
        self.message = message
        self.details = details
    }

    /// Its place in the id-ordered trail.
    public var key: KeysetKey { KeysetKey(time: nil, id: String(id)) }
}

/// Which audit rows to show: exact fields plus a regex over actor, kind, SOP and message.
public struct AuditFilter: Sendable, Equatable {
    public var kind: String?
    public var actor: String?
    public var sopName: String?
    /// The execution's id, or its first characters (lower-case, as lists show them).
    public var executionPrefix: String?
    /// Only rows from the last this many seconds (a time window).
    public var sinceSeconds: Int?
    public var text: ListFilter?

    public init(kind: String? = nil, actor: String? = nil, sopName: String? = nil, executionPrefix: String? = nil, sinceSeconds: Int? = nil,
                text: ListFilter? = nil) {
        self.kind = kind
        self.actor = actor
        self.sopName = sopName
        self.executionPrefix = executionPrefix
        self.sinceSeconds = sinceSeconds
        self.text = text
    }

    /// True when no field is set.
    public var isEmpty: Bool {
        kind == nil && actor == nil && sopName == nil && executionPrefix == nil && sinceSeconds == nil && (text?.pattern.isEmpty ?? true)
    }
}

extension ConsoleQueries {
    static let auditKeyset = KeysetSQL(timeColumn: nil, idColumn: "l.id", idType: "bigint")

    /// The audit trail newest first (by id): one keyset page under `filter`.
    public func audit(_ page: KeysetPage, filter: AuditFilter = AuditFilter()) throws -> [ConsoleAuditEntry] {
        let parameters = SQLParameters()
        let keyset = Self.auditKeyset.clause(page, parameters)
        var conditions = [keyset.condition]
        if let kind = filter.kind { conditions.append("l.kind = \(parameters.add(kind))") }
        if let actor = filter.actor { conditions.append("l.actor = \(parameters.add(actor))") }
        if let sop = filter.sopName { conditions.append("l.sop_name = \(parameters.add(sop))") }
        if let execution = filter.executionPrefix, let range = IDPrefix.bounds(execution) {
            conditions.append("l.execution_id BETWEEN \(parameters.add(range.low))::uuid AND \(parameters.add(range.high))::uuid")
        }
        if let since = filter.sinceSeconds { conditions.append("l.at > now() - make_interval(secs => \(parameters.add(since))::int)") }
        conditions.append(Self.filterCondition(filter.text, haystack: "l.actor || ' ' || l.kind || ' ' || coalesce(l.sop_name, '') "
                                               + "|| ' ' || l.message", parameters))
        return try list("""
            SELECT l.id, l.at, l.actor, l.kind, l.execution_id, l.alert_id, l.sop_name, l.message,
                   left(l.details::text, 8000) AS details_text
            FROM self_healing_audit_log l WHERE \(conditions.joined(separator: " AND "))
            ORDER BY \(keyset.order) LIMIT \(keyset.limit)
            """, parameters, reversed: keyset.reversed).map {
            ConsoleAuditEntry(id: $0.int("id") ?? 0, at: $0.date("at") ?? Date(), actor: $0.string("actor") ?? "",
                              kind: $0.string("kind") ?? "", executionID: $0.uuid("execution_id"), alertID: $0.uuid("alert_id"),
                              sopName: $0.string("sop_name"), message: $0.string("message") ?? "",
                              details: $0.json("details_text") ?? .string($0.string("details_text") ?? ""))
        }
    }
}
