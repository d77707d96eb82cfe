import Foundation
import OpsBrainCore
import OpsBrainPostgres
import OpsBrainSandbox

/// One fault of a catalogue as the healing bench saw it in one pass: when it was injected, the
/// executions its alerts started (one per broken instance), which ones the bench approved, and
/// whether the stack was healthy afterwards by the fault's own check.
struct FaultRun {
    let fault: Fault
    let injectedAt: Date
    var executions: [ExecutionSeen] = []
    /// The fault's own check right after injection said the stack was broken (the injector worked).
    var brokenAtInjection = false
    /// The executions the bench approved, as the on-call engineer would.
    var approved: Set<String> = []
    /// The fault's own check of the real goal, run when the executions ended (not Ops Brain's verdict).
    var healthyAfter = false
    /// Free bytes of the filesystem the fault fills, right after injection and when the executions
    /// ended, read by the bench itself (nil for faults that take no space).
    var freeAtInjection: Int64?
    var freeAfter: Int64?

    /// What the store says about one execution a fault's alert started.
    struct ExecutionSeen {
        var id: String
        var status: String
        var decision: String
        var reason: String
        var sop: String?
        var alertedAt: Date
        var completedAt: Date?
        /// True when the execution went into fixing (the decision only starts fixing for a real operation).
        var ranFix: Bool
        /// From the approval request to the person's answer, in seconds (nil when none was asked).
        var approvalWait: Double?

        var isFinished: Bool { ExecutionStatus(rawValue: status)?.isTerminal == true }
    }

    /// The executions, not already another fault's, whose alerts have the fault's type and were
    /// raised after the injection: at most as many as the fault raises alerts.
    static func lookUp(_ fault: Fault, since: Date, excluding taken: Set<String>, in connection: PostgresConnection) throws -> [ExecutionSeen] {
        let rows = try connection.query("""
            SELECT e.id::text AS id, e.status, coalesce(e.decision, '') AS decision, coalesce(e.escalation_reason, ap.summary->>'reason', '') AS reason,
                   s.sop_name AS sop, extract(epoch FROM a.created_at) AS alerted, extract(epoch FROM e.completed_at) AS completed,
                   e.fix_started_at IS NOT NULL AS ran_fix, extract(epoch FROM ap.decided_at - ap.requested_at) AS approval_wait
            FROM self_healing_executions e
            JOIN intelligence_alerts a ON a.id = e.alert_id
            LEFT JOIN self_healing_sops s ON s.id = e.sop_id
            LEFT JOIN self_healing_approvals ap ON ap.execution_id = e.id
            WHERE a.alert_type = $1 AND a.created_at >= to_timestamp($2) AND NOT (e.id::text = ANY ($3::text[]))
            ORDER BY e.started_at LIMIT $4
            """, [fault.alertType, since.timeIntervalSince1970, "{" + taken.sorted().joined(separator: ",") + "}", fault.alerts])
        return rows.rows.compactMap { row in
            guard let id = row.string("id") else { return nil }
            return ExecutionSeen(id: id, status: row.string("status") ?? "?", decision: row.string("decision") ?? "",
                                 reason: row.string("reason") ?? "", sop: row.string("sop"),
                                 alertedAt: Date(timeIntervalSince1970: row.double("alerted") ?? 0),
                                 completedAt: row.double("completed").map { Date(timeIntervalSince1970: $0) },
                                 ranFix: row.bool("ran_fix") ?? false, approvalWait: row.double("approval_wait"))
        }
    }

    /// Every alert the fault raises started an execution, and all of them have ended.
    var isFinished: Bool { executions.count == fault.alerts && executions.allSatisfy(\.isFinished) }
    var covered: Bool { executions.count == fault.alerts && executions.allSatisfy { $0.sop == fault.expectedSOP } }
    var fixed: Bool { isFinished && executions.allSatisfy { $0.status == "success" } && healthyAfter }
    var autoFixed: Bool { fixed && approved.isEmpty && executions.allSatisfy { $0.decision.hasPrefix("auto_fix") } }
    var approvedFix: Bool { fixed && !approved.isEmpty }
    var escalated: Bool { executions.contains { $0.status == "escalated" } }
    var ranFix: Bool { executions.contains(where: \.ranFix) }

    /// First alert to the last verified fix, in seconds.
    var fixSeconds: Double? {
        guard fixed, let first = executions.map(\.alertedAt).min(), let last = executions.compactMap(\.completedAt).max() else { return nil }
        return last.timeIntervalSince(first)
    }

    /// The longest a person took to answer one of the fault's approval requests, in seconds.
    var approvalWait: Double? { executions.compactMap(\.approvalWait).max() }

    /// Bytes the filesystem gained between injection and the end of the executions, by statvfs.
    var bytesFreed: Int64? {
        guard let before = freeAtInjection, let after = freeAfter else { return nil }
        return after - before
    }

    /// Injection to the last verified fix (detection included), in seconds.
    var outageSeconds: Double? {
        guard fixed, let last = executions.compactMap(\.completedAt).max() else { return nil }
        return last.timeIntervalSince(injectedAt)
    }
}
