import Foundation
import OpsBrainCore
import OpsBrainPostgres

extension ExecutionRunner {
    /// An approval arrived: before any fix runs, the alert's source and the diagnosis are asked
    /// again. A resolved alert, an escalation rule that holds now, or no decided fix that still
    /// applies ends the run `not_needed` (nothing runs; the SOP's statistics are not touched);
    /// otherwise the decided fixes that still apply run, unless this SOP already fixed this target
    /// as often as the repeat limit allows: then it escalates "fix does not hold".
    func startApprovedFix(_ record: ExecutionRecord) throws {
        let approver = record.approvedBy ?? "?"
        let context = try context(for: record, attempt: record.state.attempt)
        if let alertID = record.alertID, try repository.alertStatus(alertID) == "resolved" {
            return try endNotNeeded(record, by: approver, reason: "the alert resolved before the approved fix ran")
        }
        var fixes = record.applicableFixes
        if let entry = sop(of: record) {
            let recheck = try rediagnose(record, entry: entry, context: context, phase: .recheck, moment: "at approval")
            if let reason = recheck.escalation { return try endNotNeeded(record, by: approver, reason: reason) }
            fixes = recheck.fixes
            let ages = try repository.recentFixAges(sopID: entry.id, instance: record.instance?.key, excluding: record.id,
                                                    windowMinutes: settings.repeatLimit.windowMinutes)
            if let reason = settings.repeatLimit.violation(ages: ages) {
                _ = try apply(.escalatedInsteadOfFixing(reason: reason), to: record, patch: ExecutionPatch(),
                              audit: "approved by \(approver), but not run: \(reason)")
                return
            }
        }
        var patch = ExecutionPatch()
        patch.applicableFixes = fixes
        try apply(.approved(by: approver), to: record, patch: patch, audit: "fixing after approval by \(approver)")
    }

    /// An approval request came due: when nobody decided within `engine.approval_ttl`, its expiry
    /// decides (reject or escalate, as configured), audited and announced; nothing runs. A request
    /// decided meanwhile, or not yet due, is left to its decision.
    func expireApproval(_ record: ExecutionRecord) throws {
        let ttl = settings.approvalTTL
        guard let requestedAt = try repository.approvalPendingSince(record.id) else {
            return try repository.release(record.id, nextActionAt: nil)
        }
        let due = requestedAt.addingTimeInterval(ttl.asSeconds)
        guard due <= Date() else { return try repository.release(record.id, nextActionAt: due) }
        let reason = "approval expired: no one approved or rejected within \(DurationSyntax.format(ttl))"
        let event: ExecutionEvent = settings.approvalExpiry == .reject
            ? .rejected(by: ApprovalRepository.expiryActor, reason: reason)
            : .escalatedInsteadOfFixing(reason: reason + "; the fix did not run")
        try apply(event, to: record, patch: ExecutionPatch(), audit: "\(reason); \(settings.approvalExpiry == .reject ? "rejected" : "escalated"), nothing ran") { tx in
            try ApprovalRepository.expire(record.id, reason: reason, in: tx)
            if self.settings.approvalExpiry == .reject {
                try NotifierEvents.enqueueApprovalExpired(record, reason: reason, sop: self.sop(of: record)?.definition, in: tx)
            }
        }
    }

    private func endNotNeeded(_ record: ExecutionRecord, by approver: String, reason: String) throws {
        try apply(.approvedButNoLongerNeeded(by: approver, reason: reason), to: record, patch: ExecutionPatch(),
                  audit: "approved by \(approver), but not run: \(reason)")
    }
}
