import Foundation
import OpsBrainCore

extension IncidentRepository {
    static let alertColumns = """
        a.id, a.source, a.alert_type, a.title, a.severity, a.status, a.fingerprint, a.count, a.labels::text AS labels_text,
        a.created_at, a.last_seen_at, a.resolved_at, a.rejection_reason, a.correlated_execution_id
        """

    /// Every delivery of the runs' notifications, with each attempt, in the order they were planned.
    func deliveries(_ runs: [UUID]) throws -> [IncidentDelivery] {
        let rows = try connection.query("""
            SELECT d.id AS delivery_id, n.execution_id, n.kind, d.channel, d.action, d.destination, d.status, d.created_at,
                   t.attempt, t.at AS attempt_at, t.outcome, t.http_status, t.error
            FROM opsbrain_notifications n JOIN opsbrain_notification_deliveries d ON d.notification_id = n.id
            LEFT JOIN opsbrain_notification_attempts t ON t.delivery_id = d.id
            WHERE n.execution_id = ANY($1::uuid[]) ORDER BY d.id, t.id
            """, [PostgresArray(runs.map(\.uuidString))]).rows
        var deliveries: [IncidentDelivery] = []
        var current: Int?
        for row in rows {
            if row.int("delivery_id") != current {
                current = row.int("delivery_id")
                deliveries.append(IncidentDelivery(
                    executionID: row.uuid("execution_id"), event: try Self.decode(row, "kind"), channel: try Self.decode(row, "channel"),
                    action: try Self.decode(row, "action"), destination: row.string("destination"), status: try Self.decode(row, "status"),
                    createdAt: try Self.date(row, "created_at")))
            }
            guard let number = row.int("attempt") else { continue }
            deliveries[deliveries.count - 1].attempts.append(IncidentDelivery.Attempt(
                number: number, at: try Self.date(row, "attempt_at"), outcome: try Self.decode(row, "outcome"),
                httpStatus: row.int("http_status"), error: row.string("error")))
        }
        return deliveries
    }

    /// The audit rows of the runs, and those of the alerts written without a run (a rejection, a
    /// resolve of an alert that opened none); the latter are read from the first alert's time on,
    /// along the log's time index.
    func auditTrail(executions runs: [UUID], alerts: [IncidentAlert]) throws -> [IncidentAuditEntry] {
        try connection.query("""
            SELECT at, actor, kind, execution_id, alert_id, message FROM self_healing_audit_log
            WHERE execution_id = ANY($1::uuid[])
               OR (execution_id IS NULL AND alert_id = ANY($2::uuid[]) AND at >= $3::timestamptz)
            ORDER BY at, id
            """, [PostgresArray(runs.map(\.uuidString)), PostgresArray(alerts.map(\.id.uuidString)),
                  alerts.map(\.createdAt).min() ?? Date()]).rows.map { row in
            IncidentAuditEntry(at: try Self.date(row, "at"), actor: row.string("actor") ?? "", kind: row.string("kind") ?? "",
                               executionID: row.uuid("execution_id"), alertID: row.uuid("alert_id"), message: row.string("message") ?? "")
        }
    }

    /// An alert from a row of `alertColumns`.
    static func alert(_ row: Row) throws -> IncidentAlert {
        guard let id = row.uuid("id") else { throw PostgresError(kind: .decoding, message: "alert row without an id") }
        let labels = row.json("labels_text")?.objectValue?.mapValues { $0.stringValue ?? $0.jsonText } ?? [:]
        let severity = row.string("severity") ?? ""
        return IncidentAlert(
            id: id, source: row.string("source") ?? "", alertType: row.string("alert_type") ?? "", title: row.string("title") ?? "",
            severity: Severity(rawValue: severity) ?? Severity.normalized(severity) ?? .medium, status: try decode(row, "status"),
            fingerprint: row.string("fingerprint"), count: row.int("count") ?? 1, labels: labels,
            createdAt: try date(row, "created_at"), lastSeenAt: row.date("last_seen_at"), resolvedAt: row.date("resolved_at"),
            rejectionReason: row.string("rejection_reason"), joinedExecutionID: row.uuid("correlated_execution_id"))
    }

    /// A run from a row of the executions query, with its recorded steps.
    static func execution(_ row: Row, id: UUID, steps: [StepRecord]) throws -> IncidentExecution {
        let decision = try row.string("decision").map { word in
            guard let decision = Decision(word: word) else {
                throw PostgresError(kind: .decoding, message: "execution \(id) has an unknown decision '\(word)'")
            }
            return decision
        }
        return IncidentExecution(
            id: id, alertID: row.uuid("alert_id"), sopName: row.string("sop_name"), sopVersion: row.int("sop_version"),
            status: try decode(row, "status"), mode: try decode(row, "mode"), decision: decision, confidence: row.int("confidence_score"),
            attempts: row.int("attempts") ?? 0, maxAttempts: row.int("max_attempts") ?? 1, dryRun: row.bool("dry_run") ?? false,
            instance: row.string("instance_key"), startedAt: try date(row, "started_at"), decidedAt: row.date("decided_at"),
            fixStartedAt: row.date("fix_started_at"), verifiedAt: row.date("verified_at"), completedAt: row.date("completed_at"),
            escalationReason: row.string("escalation_reason"), rollbackRequestedBy: row.string("rollback_requested_by"),
            approval: try approval(row),
            steps: steps.map {
                IncidentStep(phase: $0.phase, stepID: $0.stepID, attempt: $0.attempt, status: $0.status, result: $0.result,
                             startedAt: $0.startedAt, finishedAt: $0.finishedAt)
            })
    }

    /// The run's approval request and decision, when one was asked; its summary says why, at what
    /// risk, and what would run.
    private static func approval(_ row: Row) throws -> IncidentApproval? {
        guard let requestedAt = row.date("requested_at") else { return nil }
        let summary = row.json("approval_summary")
        let operations = summary?["operations"]?.arrayValue ?? []
        return IncidentApproval(
            requestedAt: requestedAt, reason: summary?["reason"]?.stringValue,
            risk: summary?["risk"]?.stringValue.flatMap(RiskLevel.init(rawValue:)),
            plannedOperations: operations.map { "\($0["id"]?.stringValue ?? "?"): \($0["plan"]?.stringValue ?? "")" },
            decision: try row.string("approval_decision").map { _ in try decode(row, "approval_decision") },
            decidedBy: row.string("decided_by"), decidedFrom: row.string("decided_from"), decidedAt: row.date("decided_at"),
            decisionReason: row.string("reason"))
    }

    /// A column's word as its enum, or an error naming the column and the word.
    static func decode<Value: RawRepresentable>(_ row: Row, _ column: String) throws -> Value where Value.RawValue == String {
        let word = row.string(column) ?? "NULL"
        guard let value = Value(rawValue: word) else {
            throw PostgresError(kind: .decoding, message: "column \(column) holds '\(word)', which is not a \(Value.self)")
        }
        return value
    }

    /// A timestamp column that must be set.
    static func date(_ row: Row, _ column: String) throws -> Date {
        guard let date = row.date(column) else { throw PostgresError(kind: .decoding, message: "column \(column) is not a timestamp") }
        return date
    }
}
