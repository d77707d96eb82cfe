import Foundation
import OpsBrainCore

/// What an id a person gave names: an alert, or a run.
public enum IncidentSubject: Sendable, Equatable {
    case alert(UUID)
    case execution(UUID)
}

/// An id that names no alert or run, more than one, or is not an id at all.
public struct IncidentLookupError: Error, CustomStringConvertible, Sendable, Equatable {
    public var description: String

    public init(_ description: String) { self.description = description }
}

/// Reads one incident whole: the alert, the alerts grouped into it, every run of it with its steps
/// and approval, the notifications sent and the audit trail.
///
/// An incident starts from its primary alert (the one that opened a run; for a run, its alert).
/// It holds the alerts that joined its runs as a storm and the same fingerprint firing again within
/// `refireWindowMinutes` of it, and every run of those alerts.
public struct IncidentRepository {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// How close to the primary alert a re-fire of its fingerprint must come to count as the same
    /// incident (the repeat limit's default window): a month-old occurrence is another incident.
    public static let refireWindowMinutes = 60

    /// The fewest leading characters of an id taken as a prefix.
    public static let shortestPrefix = 4

    /// Resolves a full alert or execution id, or the first characters of one (the 8 every list shows).
    public func resolve(_ text: String) throws -> IncidentSubject {
        let given = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard given.count >= Self.shortestPrefix, let range = IDPrefix.bounds(given) else {
            throw IncidentLookupError("'\(text)' is not an id: give an alert or execution id, whole or its first "
                                      + "\(Self.shortestPrefix) or more characters (hex digits, as the console shows them)")
        }
        let whole = UUID(uuidString: given) != nil
        // A prefix is the range of ids it starts (a whole id its own), read through the primary keys.
        let matches = try connection.query("""
            (SELECT 'alert' AS kind, id FROM intelligence_alerts WHERE id BETWEEN $1::uuid AND $2::uuid LIMIT 3)
            UNION ALL
            (SELECT 'execution' AS kind, id FROM self_healing_executions WHERE id BETWEEN $1::uuid AND $2::uuid LIMIT 3)
            """, [range.low, range.high], repeating: .safeToRepeat).rows.compactMap { row -> IncidentSubject? in
            guard let id = row.uuid("id") else { return nil }
            return row.string("kind") == "alert" ? .alert(id) : .execution(id)
        }
        guard matches.count == 1 else {
            if matches.isEmpty {
                throw IncidentLookupError(whole ? "no alert or execution has the id '\(given)'"
                                          : "no alert or execution id starts with '\(given)'")
            }
            throw IncidentLookupError("'\(given)' is ambiguous: it starts " + matches.map(Self.describe).joined(separator: ", ")
                                      + "; give more characters")
        }
        return matches[0]
    }

    private static func describe(_ subject: IncidentSubject) -> String {
        switch subject {
        case .alert(let id): return "alert \(id.uuidString.lowercased())"
        case .execution(let id): return "execution \(id.uuidString.lowercased())"
        }
    }

    /// The incident `subject` belongs to; nil when there is no such alert or run.
    public func timeline(for subject: IncidentSubject) throws -> IncidentTimeline? {
        guard let (primary, seedRuns) = try seeds(subject) else { return nil }
        var alerts = try primary.map(alertsFiring) ?? []
        let runIDs = try executionIDs(alerts: alerts.map(\.id), plus: seedRuns)
        let known = Set(alerts.map(\.id))
        alerts += try joinedAlerts(runIDs).filter { !known.contains($0.id) }
        let runs = try executions(runIDs)
        return IncidentTimeline(alerts: alerts, executions: runs, deliveries: try deliveries(runIDs),
                                audit: try auditTrail(executions: runIDs, alerts: alerts))
    }

    /// The primary alert and the runs known to be part of the incident from the start: a run given
    /// by id (and its alert); an alert that joined a storm leads to the run it joined (and that
    /// run's alert). Nil when the id names nothing.
    private func seeds(_ subject: IncidentSubject) throws -> (UUID?, [UUID])? {
        switch subject {
        case .execution(let id):
            guard let row = try connection.query("SELECT alert_id FROM self_healing_executions WHERE id = $1::uuid", [id]).first
            else { return nil }
            return (row.uuid("alert_id"), [id])
        case .alert(let id):
            guard let row = try connection.query("""
                SELECT a.correlated_execution_id, e.alert_id AS group_alert,
                       EXISTS (SELECT 1 FROM self_healing_executions own WHERE own.alert_id = a.id) AS has_run
                FROM intelligence_alerts a LEFT JOIN self_healing_executions e ON e.id = a.correlated_execution_id
                WHERE a.id = $1::uuid
                """, [id]).first else { return nil }
            guard row.bool("has_run") != true, let group = row.uuid("correlated_execution_id") else { return (id, []) }
            return (row.uuid("group_alert") ?? id, [group])
        }
    }

    /// The primary alert and the alerts of the same fingerprint that fired within the re-fire window of it.
    private func alertsFiring(like primary: UUID) throws -> [IncidentAlert] {
        try connection.query("""
            SELECT \(Self.alertColumns) FROM intelligence_alerts a, intelligence_alerts p
            WHERE p.id = $1::uuid AND (a.id = p.id OR (p.fingerprint IS NOT NULL AND a.fingerprint = p.fingerprint
                AND a.created_at <= coalesce(p.resolved_at, p.last_seen_at) + make_interval(mins => $2)
                AND coalesce(a.resolved_at, a.last_seen_at) >= p.created_at - make_interval(mins => $2)))
            ORDER BY a.created_at
            """, [primary, Self.refireWindowMinutes]).rows.map(Self.alert)
    }

    /// The runs of `alerts`, with `plus`.
    private func executionIDs(alerts: [UUID], plus: [UUID]) throws -> [UUID] {
        try connection.query("""
            SELECT id FROM self_healing_executions WHERE alert_id = ANY($1::uuid[]) OR id = ANY($2::uuid[]) ORDER BY started_at
            """, [PostgresArray(alerts.map(\.uuidString)), PostgresArray(plus.map(\.uuidString))]).rows.compactMap { $0.uuid("id") }
    }

    /// The alerts that joined one of `runs` as part of a storm.
    private func joinedAlerts(_ runs: [UUID]) throws -> [IncidentAlert] {
        try connection.query("""
            SELECT \(Self.alertColumns) FROM intelligence_alerts a WHERE a.correlated_execution_id = ANY($1::uuid[]) ORDER BY a.created_at
            """, [PostgresArray(runs.map(\.uuidString))]).rows.map(Self.alert)
    }

    /// The runs with their approval, decision and verification times, and their steps.
    private func executions(_ ids: [UUID]) throws -> [IncidentExecution] {
        let rows = try connection.query("""
            SELECT e.id, e.alert_id, s.sop_name, e.sop_version, e.status, e.mode, e.decision, e.confidence_score, e.attempts,
                   e.max_attempts, e.dry_run, e.instance_key, e.started_at, e.fix_started_at, e.completed_at, e.escalation_reason,
                   e.rollback_requested_by,
                   (SELECT min(l.at) FROM self_healing_audit_log l WHERE l.execution_id = e.id AND l.kind = 'decision') AS decided_at,
                   (SELECT min(l.at) FROM self_healing_audit_log l WHERE l.execution_id = e.id AND l.details->>'from' = 'verifying'
                       AND l.details->>'to' IN ('success', 'escalated')) AS verified_at,
                   ap.requested_at, ap.summary::text AS approval_summary, ap.decision AS approval_decision, ap.decided_by,
                   ap.decided_from, ap.decided_at, ap.reason
            FROM self_healing_executions e LEFT JOIN self_healing_sops s ON s.id = e.sop_id
            LEFT JOIN self_healing_approvals ap ON ap.execution_id = e.id
            WHERE e.id = ANY($1::uuid[]) ORDER BY e.started_at
            """, [PostgresArray(ids.map(\.uuidString))]).rows
        let steps = ExecutionRepository(connection: connection)
        return try rows.map { row in
            guard let id = row.uuid("id") else { throw PostgresError(kind: .decoding, message: "execution row without an id") }
            return try Self.execution(row, id: id, steps: try steps.steps(id))
        }
    }
}
