import Foundation
import OpsBrainCore

/// What one webhook delivery changed.
public struct IntakeOutcome: Sendable, Equatable {
    public var opened = 0
    /// Repeats of an alert still firing: counted on its row, no new execution.
    public var repeated = 0
    public var resolved = 0
    /// Resolutions of alerts not known to be firing (nothing to close).
    public var ignored = 0

    public init() {}

    public var json: JSONValue {
        .object(["opened": .number(Double(opened)), "repeated": .number(Double(repeated)),
                 "resolved": .number(Double(resolved)), "ignored": .number(Double(ignored))])
    }
}

/// One firing alert as stored: its row, and whether it was a repeat of one still firing.
public struct StoredAlert: Sendable, Equatable {
    public var id: UUID
    /// The fingerprint was firing already: that row was counted again, no new row made.
    public var deduplicated: Bool
    /// How many times the row has fired, this time included.
    public var count: Int
}

/// Stores webhook alerts: a whole delivery in one transaction, deduplicated by fingerprint.
public struct IntakeRepository {
    /// Called in the delivery's transaction for each alert it resolves (to announce the resolution).
    public typealias ResolutionHook = @Sendable (UUID, PostgresConnection) throws -> Void

    let connection: PostgresConnection
    let onResolved: ResolutionHook?

    public init(connection: PostgresConnection, onResolved: ResolutionHook? = nil) {
        self.connection = connection
        self.onResolved = onResolved
    }

    /// Stores `alerts`: new firing ones become rows, repeats update count and last_seen,
    /// resolved ones close their firing row. All or nothing.
    public func ingest(_ alerts: [IncomingAlert]) throws -> IntakeOutcome {
        if alerts.count == 1, alerts[0].state == .firing {
            // One statement is atomic on its own: no BEGIN/COMMIT round trips.
            var outcome = IntakeOutcome()
            try fire(alerts[0], in: connection, outcome: &outcome)
            return outcome
        }
        return try connection.transaction { tx in
            var outcome = IntakeOutcome()
            for alert in alerts {
                switch alert.state {
                case .firing: try fire(alert, in: tx, outcome: &outcome)
                case .resolved: try resolve(alert, in: tx, outcome: &outcome)
                }
            }
            return outcome
        }
    }

    private func fire(_ alert: IncomingAlert, in tx: PostgresConnection, outcome: inout IntakeOutcome) throws {
        let stored = try IntakeRepository(connection: tx).storeFiring(
            source: alert.source, alertType: alert.alertType, title: alert.title, severity: alert.severity.rawValue,
            labels: alert.labels, evidence: alert.evidence, fingerprint: alert.fingerprint)
        if stored.deduplicated { outcome.repeated += 1 } else { outcome.opened += 1 }
    }

    /// Stores one firing alert: a new row, or, while an alert with the same fingerprint is firing,
    /// a repeat of that one (count + 1, last_seen_at, the newest evidence, title and severity).
    /// Without a fingerprint it is always a new row. One statement, atomic on its own.
    public func storeFiring(source: String, alertType: String, title: String, severity: String, labels: [String: String],
                            evidence: JSONValue, fingerprint: String?) throws -> StoredAlert {
        let row = try connection.queryPrepared("""
            INSERT INTO intelligence_alerts (source, alert_type, title, severity, labels, evidence, fingerprint)
            VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7)
            ON CONFLICT (fingerprint) WHERE status = 'firing' AND fingerprint IS NOT NULL
            DO UPDATE SET count = intelligence_alerts.count + 1, last_seen_at = now(), evidence = EXCLUDED.evidence,
                          title = EXCLUDED.title, severity = EXCLUDED.severity
            RETURNING id, count, (xmax = 0) AS inserted
            """, [source, alertType, title, severity, JSONValue.object(labels.mapValues(JSONValue.string)), evidence, fingerprint]).first
        guard let id = row?.uuid("id") else { throw PostgresError(kind: .decoding, message: "no alert id returned") }
        return StoredAlert(id: id, deduplicated: row?.bool("inserted") == false, count: row?.int("count") ?? 1)
    }

    private func resolve(_ alert: IncomingAlert, in tx: PostgresConnection, outcome: inout IntakeOutcome) throws {
        let closed = try tx.query("""
            UPDATE intelligence_alerts SET status = 'resolved', resolved_at = now(), last_seen_at = now()
            WHERE fingerprint = $1 AND status = 'firing' RETURNING id, correlated_execution_id
            """, [alert.fingerprint])
        guard let row = closed.first, let alertID = row.uuid("id") else { outcome.ignored += 1; return }
        outcome.resolved += 1
        try onResolved?(alertID, tx)
        let execution = try tx.query("SELECT id FROM self_healing_executions WHERE alert_id = $1::uuid ORDER BY started_at DESC LIMIT 1",
                                     [alertID]).first?.uuid("id") ?? row.uuid("correlated_execution_id")
        try ExecutionRepository.wakeVerification(forAlert: alertID, in: tx)
        try AuditTrail.append(kind: "alert_resolved", actor: "intake:\(alert.source)", message: "alert '\(alert.title)' resolved by its source",
                              executionID: execution, alertID: alertID, in: tx)
    }
}
