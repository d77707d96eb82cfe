import Foundation
import OpsBrainCore

/// A transition lost a race: the execution was not in the state the caller expected.
public struct TransitionConflict: Error, CustomStringConvertible, Sendable {
    public var executionID: UUID
    public var expected: ExecutionStatus
    /// The engine whose claim the transition was fenced by, if any.
    public var holder: String?

    public init(executionID: UUID, expected: ExecutionStatus, holder: String?) {
        self.executionID = executionID
        self.expected = expected
        self.holder = holder
    }

    public var description: String {
        "execution \(executionID) is no longer \(expected.rawValue)" + (holder.map { " or no longer claimed by \($0)" } ?? "")
    }
}

/// Durable pipeline state: claims with leases, transitions with their audit rows, steps, learning.
///
/// Every state change is one transaction holding the row update and its audit row; the table's
/// trigger adds the NOTIFY, delivered on commit.
public struct ExecutionRepository {
    let connection: PostgresConnection
    /// The engine that holds the claims this repository's transitions are made under: when set,
    /// a transition or release applies only while that engine still holds the run (a fence against
    /// an engine that was taken for dead and kept going).
    public var claimHolder: String?

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Engines whose heartbeat is older than this are dead: their claims may be taken over.
    public static let deadAfter = "15 seconds"

    // MARK: Alerts

    /// Claims up to `limit` unprocessed alerts (FOR UPDATE SKIP LOCKED, with a lease), oldest first.
    public func claimAlerts(engineID: String, limit: Int, leaseSeconds: Int) throws -> [ClaimedAlert] {
        try connection.query("""
            UPDATE intelligence_alerts AS a SET claimed_by = $1, lease_until = now() + make_interval(secs => $2)
            WHERE a.id IN (
                SELECT id FROM intelligence_alerts
                WHERE processed_at IS NULL AND status = 'firing' AND (lease_until IS NULL OR lease_until < now()
                    OR claimed_by = $1 OR claimed_by NOT IN (\(Self.liveEngines)))
                ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED)
            RETURNING a.id, a.source, a.alert_type, a.title, a.severity, a.labels::text AS labels_text,
                      a.evidence::text AS evidence_text, a.fingerprint, a.status, a.count, a.created_at
            """, [engineID, leaseSeconds, limit]).rows.compactMap(ClaimedAlert.init(row:)).sorted { $0.createdAt < $1.createdAt }
    }

    static let liveEngines = "SELECT engine_id FROM opsbrain_engines WHERE stopped_at IS NULL AND heartbeat_at > now() - interval '\(deadAfter)'"

    /// Marks an alert rejected with its reason (nothing else is opened for it).
    public func rejectAlert(_ id: UUID, reason: String, actor: String) throws {
        try connection.transaction { tx in
            try tx.query("""
                UPDATE intelligence_alerts SET status = 'rejected', rejection_reason = $2, processed_at = now(),
                    claimed_by = NULL, lease_until = NULL WHERE id = $1::uuid
                """, [id, reason])
            try AuditTrail.append(kind: "alert_rejected", actor: actor, message: "alert rejected: \(reason)", alertID: id, in: tx)
        }
    }

    /// Opens an execution for an alert and marks the alert processed, in one transaction; an alert
    /// of a storm joins the execution already open for it instead (see `place`).
    public func openExecution(for alert: ClaimedAlert, normalized: AlertSnapshot, notes: [String], evidence: JSONValue?,
                              sop: (id: UUID, version: Int, name: String)?, match: MatchCandidate?, mode: EngineMode,
                              maxAttempts: Int, instances: InstanceRequest? = nil, dryRun: Bool = false, actor: String) throws -> UUID {
        try connection.transaction { tx in
            let (placement, group) = try place(alertType: normalized.alertType, sopID: sop?.id, instances: instances, in: tx)
            try tx.query("""
                UPDATE intelligence_alerts SET processed_at = now(), claimed_by = NULL, lease_until = NULL,
                    alert_type = $2, title = $3, severity = $4, normalization_notes = $5::jsonb,
                    evidence = coalesce($6::jsonb, evidence), correlated_execution_id = $7::uuid
                WHERE id = $1::uuid
                """, [alert.id, normalized.alertType, normalized.title, normalized.severity.rawValue,
                      JSONValue.array(notes.map(JSONValue.string)), evidence, group])
            if let group {
                try AuditTrail.append(kind: "alert_correlated", actor: actor,
                                      message: "alert '\(normalized.title)' joins the open execution for "
                                          + (placement?.phrase ?? "its kind") + " (storm)",
                                      executionID: group, alertID: alert.id, sopName: sop?.name, in: tx)
                return group
            }
            let id = try openExecutionRow(alertID: alert.id, sop: sop, match: match, mode: mode, maxAttempts: maxAttempts,
                                          placement: placement, dryRun: dryRun, in: tx)
            let sopText = sop.map { "SOP \($0.name) v\($0.version) (match \(match?.score ?? 0))" } ?? "no matching SOP (unknown path)"
            let after = try endedGroup(alertType: normalized.alertType, sopID: sop?.id, placement: placement, in: tx).map { "; \($0)" } ?? ""
            try AuditTrail.append(kind: "execution_created", actor: actor,
                                  message: "alert '\(normalized.title)' → \(sopText)" + (placement.map { ", for \($0.phrase)" } ?? "") + after,
                                  executionID: id, alertID: alert.id, sopName: sop?.name,
                                  details: .object(["notes": .array(notes.map(JSONValue.string)),
                                                    "reasons": .array((match?.reasons ?? []).map(JSONValue.string))]), in: tx)
            return id
        }
    }

    /// Alerts within this window join the execution already open for their kind (or their SOP's instance).
    public static let correlationWindowSeconds = 300

    /// Inserts a pending execution row; a dry run gets no next action, so no engine claims it.
    public func openExecutionRow(alertID: UUID?, sop: (id: UUID, version: Int, name: String)?, match: MatchCandidate?, mode: EngineMode,
                                 maxAttempts: Int, placement: InstancePlacement? = nil, dryRun: Bool,
                                 in tx: PostgresConnection) throws -> UUID {
        let row = try tx.query("""
            INSERT INTO self_healing_executions (alert_id, sop_id, sop_version, status, mode, pattern_score, max_attempts,
                dry_run, next_action_at, instance_scope, instance_key)
            VALUES ($1::uuid, $2::uuid, $3, 'pending', $4, $5, $6, $7, CASE WHEN $7 THEN NULL ELSE now() END, $8, $9) RETURNING id
            """, [alertID, sop?.id, sop?.version, mode.rawValue, match?.score, maxAttempts, dryRun,
                  placement?.scope.rawValue, placement?.key]).first
        guard let id = row?.uuid("id") else { throw PostgresError(kind: .decoding, message: "no execution id returned") }
        return id
    }

    // MARK: Executions

    /// Claims the next execution that is due and free: unclaimed, left claimed by this engine but
    /// held by none of its workers (`working`; a release lost with the connection), or claimed by an
    /// engine whose heartbeat has expired (or that stopped). A live engine keeps its claim for as
    /// long as it works on the run, whatever the run's transitions, and gives it up with `releaseClaim`.
    /// An engine that others take for dead (its heartbeat expired) claims nothing until it beats again.
    public func claimRunnable(engineID: String, leaseSeconds: Int, excluding working: Set<UUID> = []) throws -> ExecutionRecord? {
        let claimed = try connection.query("""
            UPDATE self_healing_executions SET claimed_by = $1, lease_until = now() + make_interval(secs => $2)
            WHERE id = (
                SELECT id FROM self_healing_executions
                WHERE next_action_at IS NOT NULL AND next_action_at <= now()
                  AND (claimed_by IS NULL OR claimed_by = $1 OR claimed_by NOT IN (\(Self.liveEngines)))
                  AND NOT (id = ANY($3::uuid[]))
                  AND NOT EXISTS (SELECT 1 FROM opsbrain_engines WHERE engine_id = $1
                                  AND (stopped_at IS NOT NULL OR heartbeat_at <= now() - interval '\(Self.deadAfter)'))
                ORDER BY next_action_at LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING id
            """, [engineID, leaseSeconds, PostgresArray(working.map(\.uuidString))]).first?.uuid("id")
        guard let claimed else { return nil }
        return try load(claimed)
    }

    /// One execution with its SOP name and approval decision.
    public func load(_ id: UUID) throws -> ExecutionRecord? {
        try connection.query("SELECT \(ExecutionRecord.columns) \(ExecutionRecord.joins) WHERE e.id = $1::uuid", [id])
            .first.map(ExecutionRecord.init(row:))
    }

    /// Moves an execution from `from` to `to` with its patch and audit row, in one transaction.
    /// `extra` runs in the same transaction (an approval request, the learning update).
    public func transition(_ id: UUID, from: ExecutionStatus, to state: ExecutionState, patch: ExecutionPatch,
                           audit: AuditEntry, extra: ((PostgresConnection) throws -> Void)? = nil) throws {
        try connection.transaction { tx in
            try transition(id, from: from, to: state, patch: patch, audit: audit, in: tx)
            try extra?(tx)
        }
    }

    /// The transition inside a caller's transaction (used with the decision lock). The first entry
    /// into `fixing` (after the decision or an approval) stamps `fix_started_at`, which cooldowns and
    /// hourly caps count.
    public func transition(_ id: UUID, from: ExecutionStatus, to state: ExecutionState, patch: ExecutionPatch,
                           audit: AuditEntry, in tx: PostgresConnection) throws {
        let terminal = state.status.isTerminal
        let updated = try tx.query("""
            UPDATE self_healing_executions SET
                status = $3, attempts = $4, escalate_after_fix = $5, escalation_reason = $6,
                diagnosis_results = coalesce($7::jsonb, diagnosis_results),
                verification_results = coalesce($8::jsonb, verification_results),
                fix_actions_taken = coalesce($9::jsonb, fix_actions_taken),
                confidence_score = coalesce($10, confidence_score),
                confidence_breakdown = coalesce($11::jsonb, confidence_breakdown),
                decision = coalesce($12, decision), applicable_fixes = coalesce($13::jsonb, applicable_fixes),
                verify_hard = coalesce($14, verify_hard), next_action_at = $15,
                fix_started_at = CASE WHEN $16 AND fix_started_at IS NULL THEN clock_timestamp() ELSE fix_started_at END,
                outcome = coalesce($17::jsonb, outcome),
                completed_at = CASE WHEN $18 THEN now() ELSE completed_at END,
                total_resolution_time_ms = CASE WHEN $18 AND fix_started_at IS NOT NULL
                    THEN (extract(epoch FROM clock_timestamp() - fix_started_at) * 1000)::int ELSE total_resolution_time_ms END,
                updated_at = now()
            WHERE id = $1::uuid AND status = $2 AND ($19::text IS NULL OR claimed_by = $19)
            RETURNING alert_id, sop_id
            """, [id, from.rawValue, state.status.rawValue, state.attempt, state.escalateAfterFix, state.escalationReason,
                  patch.diagnosisResults, patch.verificationResults, patch.fixActions, patch.confidence?.total,
                  patch.confidence?.json, patch.decision, patch.applicableFixes.map { JSONValue.array($0.map(JSONValue.string)) },
                  patch.verifyHard, patch.nextActionAt, state.status == .fixing, patch.outcome, terminal, claimHolder])
        guard let row = updated.first else { throw TransitionConflict(executionID: id, expected: from, holder: claimHolder) }
        let sopName = try row.uuid("sop_id").flatMap {
            try tx.query("SELECT sop_name FROM self_healing_sops WHERE id = $1::uuid", [$0]).first?.string("sop_name")
        }
        var details = audit.details.objectValue ?? [:]
        details["from"] = .string(from.rawValue)
        details["to"] = .string(state.status.rawValue)
        try AuditTrail.append(kind: audit.kind, actor: audit.actor, message: audit.message, executionID: id,
                              alertID: row.uuid("alert_id"), sopName: sopName, details: .object(details), in: tx)
    }

    /// Verification looks again later (for the alert's resolve, or for a lagging check): the run
    /// stays `verifying`, unclaimed, due at `until`, with what it waits for. A resolve, by the source
    /// or by hand, makes it due at once (`wakeVerification`); one that came in since verification
    /// read the alert does so here, read after the row is locked so that none slips between. The
    /// audit row is written when the wait begins, not at every look.
    public func awaitVerdict(_ id: UUID, until: Date, attempt: Int, waitingFor wait: VerificationWait, audit: AuditEntry) throws {
        try connection.transaction { tx in
            let waiting = JSONValue.object(["attempt": .number(Double(attempt)), "passed": .bool(false), "waiting": .string(audit.message),
                                            "waiting_for": .string(wait.rawValue)])
            let row = try tx.query("""
                WITH before AS (SELECT verification_results->>'waiting_for' AS waiting_for FROM self_healing_executions WHERE id = $1::uuid)
                UPDATE self_healing_executions e SET claimed_by = NULL, lease_until = NULL, next_action_at = $2,
                       verification_results = $3::jsonb, updated_at = now()
                WHERE id = $1::uuid AND status = 'verifying' AND ($5::text IS NULL OR claimed_by = $5)
                RETURNING alert_id, (SELECT waiting_for FROM before) IS NOT DISTINCT FROM $4 AS same_wait
                """, [id, until, waiting, wait.rawValue, claimHolder]).first
            if wait == .sourceResolve, let alertID = row?.uuid("alert_id"), try alertReading(executionID: id, alertID: alertID, in: tx) != .firing {
                try tx.query("UPDATE self_healing_executions SET next_action_at = now() WHERE id = $1::uuid", [id])
            }
            guard let row, row.bool("same_wait") != true else { return }
            try AuditTrail.append(kind: audit.kind, actor: audit.actor, message: audit.message, executionID: id,
                                  alertID: row.uuid("alert_id"), details: audit.details, in: tx)
        }
    }

    /// Makes every run whose verdict waits on `alertID` due now, inside the transaction that resolved
    /// the alert, by its source or by hand: the run of its own alert, and one it joined or re-fired
    /// for after the fix began (the alerts `alertReading` reads). A run still in its `wait_before`
    /// pause keeps it: a resolve does not shorten the SOP's own wait.
    public static func wakeVerification(forAlert alertID: UUID, in tx: PostgresConnection) throws {
        try tx.query("""
            UPDATE self_healing_executions e SET next_action_at = now()
            FROM intelligence_alerts a
            WHERE a.id = $1::uuid AND e.status = 'verifying' AND e.verification_results ? 'waiting_for'
              AND (e.alert_id = a.id
                   OR (a.created_at >= coalesce(e.fix_started_at, e.started_at)
                       AND (e.id = a.correlated_execution_id
                            OR e.alert_id IN (SELECT o.id FROM intelligence_alerts o WHERE o.fingerprint = a.fingerprint))))
            """, [alertID])
    }

    /// Gives up `engineID`'s claim on a run it has finished working on for now; the run's
    /// `next_action_at` (or `retryAt`, after an error) says when any engine picks it up again. A
    /// claim another engine holds (it took the run over) is left alone.
    public func releaseClaim(_ id: UUID, engineID: String, retryAt: Date? = nil) throws {
        try connection.query("""
            UPDATE self_healing_executions SET claimed_by = NULL, lease_until = NULL, next_action_at = coalesce($3, next_action_at)
            WHERE id = $1::uuid AND claimed_by = $2
            """, [id, engineID, retryAt])
    }

    /// Gives up the claim so another pass (or engine) picks the execution up at `nextActionAt`.
    public func release(_ id: UUID, nextActionAt: Date?) throws {
        try connection.query("""
            UPDATE self_healing_executions SET claimed_by = NULL, lease_until = NULL, next_action_at = $2
            WHERE id = $1::uuid AND ($3::text IS NULL OR claimed_by = $3)
            """, [id, nextActionAt, claimHolder])
    }
}

/// An alert claimed for processing, with its fields as stored.
public struct ClaimedAlert: Sendable {
    public var id: UUID
    public var source: String
    public var alertType: String?
    public var title: String?
    public var severity: String?
    public var labels: [String: String]
    public var evidenceText: String
    public var fingerprint: String?
    public var status: String
    public var count: Int
    public var createdAt: Date

    init?(row: Row) {
        guard let id = row.uuid("id") else { return nil }
        self.id = id
        source = row.string("source") ?? "sql"
        alertType = row.string("alert_type")
        title = row.string("title")
        severity = row.string("severity")
        let labelsJSON = row.string("labels_text").flatMap { try? JSONValue(parsing: $0) }
        labels = labelsJSON?.objectValue?.compactMapValues { $0.stringValue ?? $0.jsonText } ?? [:]
        evidenceText = row.string("evidence_text") ?? "{}"
        fingerprint = row.string("fingerprint")
        status = row.string("status") ?? "firing"
        count = row.int("count") ?? 1
        createdAt = row.date("created_at") ?? Date()
    }
}

extension ExecutionRepository {
    /// The alert as the engine sees it (severity normalized), or nil when unknown.
    public func alertSnapshot(_ id: UUID) throws -> AlertSnapshot? {
        guard let row = try connection.query("""
            SELECT id, source, alert_type, title, severity, labels::text AS labels_text, evidence::text AS evidence_text,
                   fingerprint, status, count, created_at FROM intelligence_alerts WHERE id = $1::uuid
            """, [id]).first, let alert = ClaimedAlert(row: row) else { return nil }
        return alert.snapshot
    }

    /// The alert's word for a run's verification: firing when its own alert fires, or when an alert
    /// that joined the run (or re-fired with the same fingerprint) fires and arrived after the fix
    /// began; resolved by hand when a person resolved its own alert, or such a later one, by hand;
    /// else resolved by its source. A run whose alert row is gone reads firing.
    public func alertReading(executionID: UUID, alertID: UUID, in tx: PostgresConnection? = nil) throws -> AlertReading {
        let row = try (tx ?? connection).query("""
            WITH run AS (SELECT coalesce(fix_started_at, started_at) AS since FROM self_healing_executions WHERE id = $1::uuid),
                 own AS (SELECT status, fingerprint, resolved_by, resolution_reason FROM intelligence_alerts WHERE id = $2::uuid),
                 later AS (SELECT a.status, a.resolved_by, a.resolution_reason, a.resolved_at
                           FROM intelligence_alerts a CROSS JOIN run LEFT JOIN own ON true
                           WHERE a.id <> $2::uuid AND a.created_at >= run.since
                             AND (a.correlated_execution_id = $1::uuid OR a.fingerprint = own.fingerprint))
            SELECT own.status, coalesce(own.resolved_by, hand.resolved_by) AS resolved_by,
                   coalesce(own.resolution_reason, hand.resolution_reason) AS resolution_reason,
                   EXISTS (SELECT 1 FROM later WHERE later.status = 'firing') AS later_firing
            FROM (SELECT 1) AS one LEFT JOIN own ON true
            LEFT JOIN LATERAL (SELECT resolved_by, resolution_reason FROM later WHERE resolved_by IS NOT NULL
                               ORDER BY resolved_at DESC LIMIT 1) AS hand ON true
            """, [executionID, alertID]).first
        guard let row, row.string("status") == AlertStatus.resolved.rawValue, row.bool("later_firing") == false else { return .firing }
        guard let person = row.string("resolved_by") else { return .resolved }
        return .resolvedByHand(by: person, reason: row.string("resolution_reason") ?? "")
    }

    /// The alert's current status (`firing`, `resolved`, `rejected`).
    public func alertStatus(_ id: UUID) throws -> String? {
        try connection.query("SELECT status FROM intelligence_alerts WHERE id = $1::uuid", [id]).first?.string("status")
    }
}

extension ClaimedAlert {
    /// The stored fields as a snapshot (before normalization of missing fields).
    public var snapshot: AlertSnapshot {
        AlertSnapshot(id: id, source: source, alertType: alertType ?? "", title: title ?? alertType ?? "",
                      severity: severity.flatMap(Severity.normalized) ?? .medium, labels: labels,
                      evidence: (try? JSONValue(parsing: evidenceText)) ?? .object([:]), fingerprint: fingerprint,
                      status: status, count: count, createdAt: createdAt)
    }
}
