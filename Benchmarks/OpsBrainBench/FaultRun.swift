import Foundation
import OpsBrainPostgres
import OpsBrainSandbox

/// One fault of the catalogue as the healing bench saw it: when it was injected, the execution its
/// alert started, whether the bench had to approve, and whether the sandbox was healthy afterwards.
struct FaultRun {
    let fault: Fault
    let injectedAt: Date
    var execution: ExecutionSeen?
    /// The fault's own check right after injection said the service was broken (the injector worked).
    var brokenAtInjection = false
    var approvedByBench = false
    /// The fault's own check of the service, run when the execution ended (not Ops Brain's verdict).
    var healthyAfter = false

    /// What the store says about the execution the fault's alert started.
    struct ExecutionSeen {
        var id: String
        var status: String
        var decision: String
        var sop: String?
        var alertedAt: Date
        var completedAt: Date?
        /// True when the execution went into fixing (the decision only starts fixing for a real operation).
        var ranFix: Bool

        var isFinished: Bool { ["success", "failed", "escalated", "rejected", "rolled_back", "diagnosed"].contains(status) }
    }

    /// The first execution, not already another fault's, whose alert has the fault's type and was
    /// raised after the injection.
    static func lookUp(_ fault: Fault, since: Date, excluding taken: Set<String>, in connection: PostgresConnection) throws -> ExecutionSeen? {
        let rows = try connection.query("""
            SELECT e.id::text AS id, e.status, coalesce(e.decision, '') AS decision, s.sop_name AS sop,
                   extract(epoch FROM a.created_at) AS alerted, extract(epoch FROM e.completed_at) AS completed,
                   e.fix_started_at IS NOT NULL AS ran_fix
            FROM self_healing_executions e
            JOIN intelligence_alerts a ON a.id = e.alert_id
            LEFT JOIN self_healing_sops s ON s.id = e.sop_id
            WHERE a.alert_type = $1 AND a.created_at >= to_timestamp($2) AND NOT (e.id::text = ANY ($3::text[]))
            ORDER BY e.started_at LIMIT 1
            """, [fault.alertType, since.timeIntervalSince1970, "{" + taken.sorted().joined(separator: ",") + "}"])
        guard let row = rows.rows.first, let id = row.string("id") else { return nil }
        return ExecutionSeen(id: id, status: row.string("status") ?? "?", decision: row.string("decision") ?? "",
                             sop: row.string("sop"), alertedAt: Date(timeIntervalSince1970: row.double("alerted") ?? 0),
                             completedAt: row.double("completed").map { Date(timeIntervalSince1970: $0) },
                             ranFix: row.bool("ran_fix") ?? false)
    }

    var covered: Bool { execution?.sop == fault.expectedSOP }
    var fixed: Bool { execution?.status == "success" && healthyAfter }
    var autoFixed: Bool { fixed && !approvedByBench && execution?.decision.hasPrefix("auto_fix") == true }
    var escalated: Bool { execution?.status == "escalated" }

    /// Alert to verified fix, in seconds.
    var fixSeconds: Double? {
        guard fixed, let execution, let completed = execution.completedAt else { return nil }
        return completed.timeIntervalSince(execution.alertedAt)
    }

    /// Injection to verified fix (detection included), in seconds.
    var outageSeconds: Double? {
        guard fixed, let completed = execution?.completedAt else { return nil }
        return completed.timeIntervalSince(injectedAt)
    }
}
