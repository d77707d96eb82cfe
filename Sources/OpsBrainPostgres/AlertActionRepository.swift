import Foundation
import OpsBrainCore

/// People's actions on alerts: acknowledge, snooze, resolve by hand, and the record of a silence
/// made at the alert's Alertmanager. Each is one transaction: the alert row, its audit row, and
/// the alerts trigger's `pg_notify('opsbrain_events', 'alert:<id>')`, so every console reloads it.
/// Only a firing alert takes an action; a refusal says why in words (`AlertActionRefused`).
public struct AlertActionRepository {
    let connection: PostgresConnection
    /// Masks the deployment's secrets in what the audit row says (a reason or title a person typed may hold one).
    let redactor: SecretRedactor

    public init(connection: PostgresConnection, redactor: SecretRedactor = SecretRedactor(secrets: [])) {
        self.connection = connection
        self.redactor = redactor
    }

    /// The SQL condition for an alert that counts as firing: firing, and neither snoozed nor
    /// silenced now. A snooze or silence that has ended counts again at once, with no job to end it.
    ///
    /// - Parameter alias: the alerts table's alias in the caller's query (`a`), or nil for none.
    public static func firingCondition(alias: String? = nil) -> String {
        let column = { (name: String) in alias.map { "\($0).\(name)" } ?? name }
        return "(\(column("status")) = 'firing' AND coalesce(\(column("snoozed_until")) <= now(), true)"
            + " AND coalesce(\(column("silenced_until")) <= now(), true))"
    }

    /// The alert a full id or an id prefix (the 8 characters lists show) names (`IDPrefix`).
    public func resolveID(_ text: String) throws -> UUID {
        try IDPrefix.resolve(text, in: .alerts, connection: connection)
    }

    /// The alert with who acted on it, or nil when there is no such alert.
    public func state(_ id: UUID) throws -> AlertActionState? {
        try connection.query("SELECT \(AlertActionState.columns) FROM intelligence_alerts WHERE id = $1::uuid", [id],
                             repeating: .safeToRepeat).first.flatMap(AlertActionState.init(row:))
    }

    /// Marks the alert acknowledged by `person` now; the first acknowledgement stands, a second is refused naming it.
    @discardableResult
    public func acknowledge(_ id: UUID, by person: Approver) throws -> AlertActionState {
        try act(.acknowledge, on: id, by: person, set: "acknowledged_by = $2, acknowledged_at = now()",
                extraCondition: "acknowledged_by IS NULL", parameters: []) { _ in
            (Self.byline("acknowledged", person), [:])
        }
    }

    /// Takes the alert out of the firing count for `duration` from now (a snooze replaces an earlier one).
    @discardableResult
    public func snooze(_ id: UUID, for duration: Duration, by person: Approver) throws -> AlertActionState {
        try act(.snooze, on: id, by: person, set: "snoozed_by = $2, snoozed_until = now() + make_interval(secs => $3::double precision)",
                parameters: [duration.asSeconds]) { alert in
            let until = alert.snoozedUntil.map(AlertActionState.utcText) ?? "?"
            return (Self.byline("snoozed for \(DurationSyntax.format(duration))", person) + " (until \(until))",
                    ["duration_s": .number(duration.asSeconds), "until": .string(until)])
        }
    }

    /// Resolves the alert by hand: status `resolved`, with who and why (`reason` must not be blank).
    ///
    /// A run waiting to verify a fix on it looks again at once and ends `resolved_by_hand`: a hand
    /// resolve is not the source's word that the fix worked.
    @discardableResult
    public func resolve(_ id: UUID, reason: String, by person: Approver) throws -> AlertActionState {
        let reason = try AlertAction.reason(reason)
        return try act(.resolve, on: id, by: person,
                       set: "status = 'resolved', resolved_at = now(), resolved_by = $2, resolution_reason = $3",
                       parameters: [reason], then: { tx in try ExecutionRepository.wakeVerification(forAlert: id, in: tx) }) { _ in
            (Self.byline("resolved by hand", person) + ": \(reason)", ["reason": .string(reason)])
        }
    }

    /// Records on the alert a silence made at its Alertmanager (`silence.id`, until `silence.endsAt`).
    @discardableResult
    public func recordSilence(_ silence: AlertSilenceRecord, on id: UUID, by person: Approver) throws -> AlertActionState {
        try act(.silence, on: id, by: person,
                set: "silenced_by = $2, silence_id = $3, silenced_until = $4::timestamptz, silenced_at_target = $5",
                parameters: [silence.id, silence.endsAt, silence.alertmanager]) { _ in
            let until = AlertActionState.utcText(silence.endsAt)
            let message = Self.byline("silenced at alertmanager '\(silence.alertmanager)' for \(DurationSyntax.format(silence.duration))",
                                      person) + " (silence \(silence.id), until \(until))"
            return (message, ["silence_id": .string(silence.id), "alertmanager": .string(silence.alertmanager),
                              "until": .string(until), "matchers": .object(silence.matchers.mapValues(JSONValue.string)),
                              "comment": .string(silence.comment)])
        }
    }

    /// Updates a firing alert with `set` ($1 the id, $2 the person, then `parameters`) and audits it
    /// (on its latest execution's trail too), in one transaction; `describe` gives the audit message
    /// and details from the updated row, and `then` does what else the action changes in the transaction.
    private func act(_ action: AlertAction, on id: UUID, by person: Approver, set: String, extraCondition: String = "true",
                     parameters: [(any PostgresEncodable)?], then: (PostgresConnection) throws -> Void = { _ in },
                     describe: (AlertActionState) -> (String, [String: JSONValue])) throws -> AlertActionState {
        try connection.transaction { tx in
            guard let row = try tx.query("""
                UPDATE intelligence_alerts a SET \(set) WHERE id = $1::uuid AND status = 'firing' AND \(extraCondition)
                RETURNING \(AlertActionState.columns), coalesce((SELECT e.id FROM self_healing_executions e WHERE e.alert_id = a.id
                                                             ORDER BY e.started_at DESC LIMIT 1), a.correlated_execution_id) AS execution_id
                """, [id, person.name] as [(any PostgresEncodable)?] + parameters).first, let alert = AlertActionState(row: row) else {
                throw try refusal(action, id, in: tx)
            }
            let (message, details) = describe(alert)
            let from: [String: JSONValue] = ["from": person.address.map(JSONValue.string) ?? .null]
            try AuditTrail.append(kind: action.auditKind, actor: "human:\(person.name)", message: redactor.redact("alert '\(alert.title)' \(message)"),
                                  executionID: row.uuid("execution_id"), alertID: id,
                                  details: redactor.redact(.object(details.merging(from) { $1 })), in: tx)
            try then(tx)
            return alert
        }
    }

    /// "acknowledged by ana from 10.0.0.7".
    private static func byline(_ what: String, _ person: Approver) -> String {
        "\(what) by \(person.name)" + (person.address.map { " from \($0)" } ?? "")
    }

    /// Why `action` did not take: no such alert, not firing, or (acknowledge) someone was first.
    private func refusal(_ action: AlertAction, _ id: UUID, in tx: PostgresConnection) throws -> AlertActionRefused {
        let short = String(id.uuidString.lowercased().prefix(8))
        let row = try tx.query("SELECT \(AlertActionState.columns) FROM intelligence_alerts WHERE id = $1::uuid", [id]).first
        guard let alert = row.flatMap(AlertActionState.init(row:)) else {
            return AlertActionRefused(description: "no alert \(id.uuidString.lowercased())")
        }
        switch alert.status {
        case .resolved:
            let by = alert.resolvedBy.map { "by \($0): \(alert.resolutionReason ?? "")" } ?? "by its source"
            return AlertActionRefused(description: "alert \(short) is already resolved (\(by)); nothing to \(action.rawValue)")
        case .rejected:
            return AlertActionRefused(description: "alert \(short) was rejected by intake; nothing to \(action.rawValue)")
        case .firing:
            guard action == .acknowledge, let by = alert.acknowledgedBy, let at = alert.acknowledgedAt else {
                return AlertActionRefused(description: "alert \(short) changed while it was being updated; try again")
            }
            return AlertActionRefused(description: "alert \(short) is already acknowledged by \(by) at \(AlertActionState.utcText(at))")
        }
    }
}

/// An alert action that was not carried out, in words for the person who asked.
public struct AlertActionRefused: Error, CustomStringConvertible, Sendable {
    public var description: String

    public init(description: String) { self.description = description }
}

/// A silence made at an Alertmanager for an alert, as recorded on the alert and in the audit trail.
public struct AlertSilenceRecord: Sendable, Equatable {
    /// Alertmanager's silence id.
    public var id: String
    /// The configured Alertmanager target it was made on.
    public var alertmanager: String
    public var endsAt: Date
    public var duration: Duration
    public var matchers: [String: String]
    public var comment: String

    public init(id: String, alertmanager: String, endsAt: Date, duration: Duration, matchers: [String: String], comment: String) {
        self.id = id
        self.alertmanager = alertmanager
        self.endsAt = endsAt
        self.duration = duration
        self.matchers = matchers
        self.comment = comment
    }
}
