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

    /// Enqueues the event for `state` (if it announces anything) inside `tx`, routed by `sop`'s policy.
    public static func enqueue(for record: ExecutionRecord, state: ExecutionState, alert: AlertSnapshot?, sop: SOPDefinition?,
                               detail: String? = nil, action: String? = nil, in tx: PostgresConnection) throws {
        guard let event = event(for: record, state: state, alert: alert, detail: detail, action: action) else { return }
        try NotificationRepository.enqueue(event, policy: sop?.notification ?? NotificationPolicy(), in: tx)
    }

    /// Enqueues the resolution of an execution's problem (its alert resolved after an escalation):
    /// PagerDuty resolves the incident this execution opened, Slack says so.
    public static func enqueueResolved(executionID: UUID, sopName: String?, alert: AlertSnapshot, sop: SOPDefinition?,
                                       in tx: PostgresConnection) throws {
        let event = NotificationEvent(kind: .resolved, executionID: executionID, sopName: sopName, severity: alert.severity,
                                      title: alert.title, summary: "The alert has resolved.", occurredAt: Date())
        try NotificationRepository.enqueue(event, policy: sop?.notification ?? NotificationPolicy(), in: tx)
    }
}
