import Foundation
import OpsBrainCore
import OpsBrainPostgres

/// The notification for an execution's new state, and the one call that enqueues it in the
/// transition's own transaction (so it is sent if and only if the transition commits).
public enum NotifierEvents {
    /// The kind of notification a state announces, or nil (pending, fixing, rejected, dry runs...).
    public static func kind(for status: ExecutionStatus) -> NotificationEvent.Kind? {
        switch status {
        case .diagnosed: return .diagnosis
        case .awaitingApproval: return .approvalNeeded
        case .success: return .fixApplied
        case .escalated, .failed: return .escalation
        default: return nil
        }
    }

    /// Enqueues what execution `executionID` now announces, inside `tx`, after its transition was
    /// written there: the row, its alert and steps are read back in the same transaction, and the
    /// event is routed by `sop`'s notification policy. Does nothing for states that announce nothing.
    public static func enqueue(executionID: UUID, sop: SOPDefinition?, in tx: PostgresConnection) throws {
        let repository = ExecutionRepository(connection: tx)
        guard let record = try repository.load(executionID), kind(for: record.state.status) != nil else { return }
        let alert = try record.alertID.flatMap { try repository.alertSnapshot($0) }
        let fixes = try repository.steps(executionID).filter { $0.phase == .fix && $0.status == .succeeded }
        guard let event = event(for: record, state: record.state, alert: alert, detail: detail(record, sop: sop, fixes: fixes),
                                action: escalationAction(record, sop: sop)) else { return }
        try NotificationRepository.enqueue(event, policy: policy(sop: sop, severity: event.severity), in: tx)
    }

    /// The SOP's notification policy; without an SOP (the unknown path), paging by severity.
    static func policy(sop: SOPDefinition?, severity: Severity) -> NotificationPolicy {
        sop?.notification ?? .unmatched(severity: severity)
    }

    /// Enqueues a resolution for every escalated execution of an alert that has just resolved, routed
    /// by its SOP's stored notification policy: PagerDuty resolves the incident the execution opened, Slack says so.
    public static func enqueueResolved(alertID: UUID, in tx: PostgresConnection) throws {
        let repository = ExecutionRepository(connection: tx)
        guard let alert = try repository.alertSnapshot(alertID) else { return }
        let escalated = try tx.query("""
            SELECT e.id, s.sop_name, s.notification::text AS policy_text
            FROM self_healing_executions e LEFT JOIN self_healing_sops s ON s.id = e.sop_id
            WHERE e.alert_id = $1::uuid AND e.status IN ('escalated', 'failed')
            """, [alertID]).rows
        for row in escalated {
            guard let id = row.uuid("id") else { continue }
            let sopName = row.string("sop_name")
            let event = NotificationEvent(kind: .resolved, executionID: id, sopName: sopName, severity: alert.severity, title: alert.title,
                                          summary: "The alert has resolved.", occurredAt: Date())
            let policy = sopName == nil ? .unmatched(severity: alert.severity) : NotificationPolicy(json: row.json("policy_text"))
            try NotificationRepository.enqueue(event, policy: policy, in: tx)
        }
    }

    /// Announces that nobody decided `record`'s approval request in time and it was rejected, inside
    /// the expiry's transaction.
    public static func enqueueApprovalExpired(_ record: ExecutionRecord, reason: String, sop: SOPDefinition?,
                                              in tx: PostgresConnection) throws {
        let alert = try record.alertID.flatMap { try ExecutionRepository(connection: tx).alertSnapshot($0) }
        let short = String(record.id.uuidString.lowercased().prefix(8))
        let event = NotificationEvent(kind: .approvalExpired, executionID: record.id, sopName: record.sopName,
                                      severity: alert?.severity ?? .medium, title: alert?.title ?? record.sopName ?? "execution \(short)",
                                      summary: reason + "; the fix was rejected and did not run.",
                                      actionNeeded: "Check whether the problem remains: opsbrain execution show \(short)", occurredAt: Date())
        try NotificationRepository.enqueue(event, policy: policy(sop: sop, severity: event.severity), in: tx)
    }

    /// The event for `record` having reached `state`. `detail` is what the state is about: the
    /// diagnosis findings, the planned operations, the fixes done; `action` what a person must do.
    public static func event(for record: ExecutionRecord, state: ExecutionState, alert: AlertSnapshot?, detail: String? = nil,
                             action: String? = nil, at now: Date = Date()) -> NotificationEvent? {
        guard let kind = kind(for: state.status), !state.dryRun else { return nil }
        let short = String(record.id.uuidString.lowercased().prefix(8))
        var facts: [NotificationEvent.Fact] = []
        if let confidence = record.confidence { facts.append(.init("Confidence", "\(confidence)/100")) }
        if state.attempt > 0 { facts.append(.init("Attempts", "\(state.attempt)")) }
        if let version = record.sopVersion { facts.append(.init("SOP version", "v\(version)")) }
        let summary: String
        var needed = action
        switch kind {
        case .diagnosis: summary = "Diagnosed (no fix in diagnose-only mode)" + (detail.map { ": \($0)" } ?? ".")
        case .approvalNeeded:
            summary = "A fix is ready and waits for approval" + (detail.map { ": \($0)" } ?? ".")
            needed = needed ?? "Approve or reject: opsbrain approve \(short) / opsbrain reject \(short) (or in the console)"
        case .fixApplied: summary = "Fixed and verified" + (detail.map { ": \($0)" } ?? ".")
        default:
            summary = state.escalationReason ?? detail ?? "Escalated to a person."
            needed = needed ?? "Investigate: opsbrain execution show \(short)"
        }
        return NotificationEvent(kind: kind, executionID: record.id, sopName: record.sopName, severity: alert?.severity ?? .medium,
                                 title: alert?.title ?? record.sopName ?? "execution \(short)", summary: summary,
                                 actionNeeded: needed, facts: facts, occurredAt: now)
    }

    /// Findings for a diagnosis, the planned operations for an approval, what the fixes did for a success.
    static func detail(_ record: ExecutionRecord, sop: SOPDefinition?, fixes: [StepRecord]) -> String? {
        let text: [String]
        switch record.state.status {
        case .diagnosed: text = record.diagnosisResults?["findings"]?.arrayValue?.compactMap(\.stringValue) ?? []
        case .awaitingApproval:
            text = (sop?.fix ?? []).filter { record.applicableFixes.contains($0.id) && !$0.operation.isCommunication }
                .map { "\($0.name) (\($0.operation.rawValue))" }
        case .success: text = fixes.compactMap { $0.result["summary"]?.stringValue }
        default: text = []
        }
        return text.isEmpty ? nil : text.joined(separator: "; ")
    }

    /// The `action` of the SOP's escalate step that applied to this execution, if any.
    static func escalationAction(_ record: ExecutionRecord, sop: SOPDefinition?) -> String? {
        guard record.state.status == .escalated || record.state.status == .failed else { return nil }
        return sop?.fix.first { $0.operation == .escalate && record.applicableFixes.contains($0.id) }?.parameters["action"]?.stringValue
    }
}
