import Foundation
import OpsBrainCore
import OpsBrainPostgres

extension ExecutionRunner {
    /// An approval arrived: before any fix runs, the alert's source and the diagnosis are asked
    /// again. A resolved alert, an escalation rule that holds now, or no decided fix that still
    /// applies ends the run `not_needed` (nothing runs; the SOP's statistics are not touched);
    /// otherwise the decided fixes that still apply run.
    func startApprovedFix(_ record: ExecutionRecord) throws {
        let approver = record.approvedBy ?? "?"
        let context = try context(for: record, attempt: record.state.attempt)
        if let alertID = record.alertID, try repository.alertStatus(alertID) == "resolved" {
            return try endNotNeeded(record, by: approver, reason: "the alert resolved before the approved fix ran")
        }
        var fixes = record.applicableFixes
        if let entry = sop(of: record) {
            let recheck = try rediagnose(record, entry: entry, context: context, phase: "recheck", moment: "at approval")
            if let reason = recheck.escalation { return try endNotNeeded(record, by: approver, reason: reason) }
            fixes = recheck.fixes
        }
        var patch = ExecutionPatch()
        patch.applicableFixes = fixes
        let state = try apply(.approved(by: approver), to: record, patch: patch, audit: "fixing after approval by \(approver)")
        var current = record
        current.applicableFixes = fixes
        try runFixes(current, state: state)
    }

    private func endNotNeeded(_ record: ExecutionRecord, by approver: String, reason: String) throws {
        try apply(.approvedButNoLongerNeeded(by: approver, reason: reason), to: record, patch: ExecutionPatch(),
                  audit: "approved by \(approver), but not run: \(reason)")
    }
}
