import Foundation
import OpsBrainCore

/// Who decided, from where.
public struct Approver: Sendable, Equatable {
    public var name: String
    /// The client address (from SSH_CONNECTION, the API peer), when known.
    public var address: String?

    public init(name: String, address: String?) {
        self.name = name
        self.address = address
    }
}

/// An approval or rollback request that cannot be carried out, in words for the person who asked.
public struct ApprovalRefused: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// Approvals: the first decision wins; the others learn who took it.
public struct ApprovalRepository {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Opens the approval request for an execution (inside the transition's transaction).
    public static func request(_ executionID: UUID, summary: JSONValue, in tx: PostgresConnection) throws {
        try tx.query("""
            INSERT INTO self_healing_approvals (execution_id, summary) VALUES ($1::uuid, $2::jsonb)
            ON CONFLICT (execution_id) DO NOTHING
            """, [executionID, summary])
    }

    /// Who decides an approval request nobody answered in time.
    public static let expiryActor = "approval expiry"

    /// Marks the undecided request of `executionID` expired, inside the transition's transaction; a
    /// person's decision that came first wins, and the transaction is refused with their name.
    public static func expire(_ executionID: UUID, reason: String, in tx: PostgresConnection) throws {
        let expired = try tx.query("""
            UPDATE self_healing_approvals SET decision = 'expired', decided_by = $2, decided_at = now(), reason = $3
            WHERE execution_id = $1::uuid AND decision IS NULL RETURNING id
            """, [executionID, expiryActor, reason])
        guard !expired.rows.isEmpty else { throw try ApprovalRepository(connection: tx).refusal(executionID, in: tx) }
        try AuditTrail.append(kind: "approval_expired", actor: "engine:\(expiryActor)", message: reason, executionID: executionID, in: tx)
    }

    /// Approves or rejects atomically; a second decision is refused with the first one's author.
    public func decide(_ executionID: UUID, approve: Bool, approver: Approver, reason: String?) throws {
        try connection.transaction { tx in
            let decided = try tx.query("""
                UPDATE self_healing_approvals SET decision = $2, decided_by = $3, decided_from = $4, decided_at = now(), reason = $5
                WHERE execution_id = $1::uuid AND decision IS NULL RETURNING id
                """, [executionID, approve ? "approved" : "rejected", approver.name, approver.address, reason])
            guard !decided.rows.isEmpty else { throw try refusal(executionID, in: tx) }
            let word = approve ? "approved" : "rejected"
            var message = "\(word) by \(approver.name)" + (approver.address.map { " from \($0)" } ?? "")
            if let reason { message += ": \(reason)" }
            if approve {
                try tx.query("""
                    UPDATE self_healing_executions SET approved_by = $2, next_action_at = now(), updated_at = now()
                    WHERE id = $1::uuid AND status = 'awaiting_approval'
                    """, [executionID, approver.name])
            } else {
                try tx.query("""
                    UPDATE self_healing_executions SET status = 'rejected', approved_by = $2, human_notes = $3,
                        completed_at = now(), next_action_at = NULL, updated_at = now()
                    WHERE id = $1::uuid AND status = 'awaiting_approval'
                    """, [executionID, approver.name, reason])
            }
            try AuditTrail.append(kind: "approval_\(word)", actor: "human:\(approver.name)", message: message,
                                  executionID: executionID, details: .object(["from": approver.address.map(JSONValue.string) ?? .null]),
                                  in: tx)
        }
    }

    fileprivate func refusal(_ executionID: UUID, in tx: PostgresConnection) throws -> ApprovalRefused {
        guard let row = try tx.query("""
            SELECT a.decision, a.decided_by, a.decided_at, e.status FROM self_healing_executions e
            LEFT JOIN self_healing_approvals a ON a.execution_id = e.id WHERE e.id = $1::uuid
            """, [executionID]).first else {
            return ApprovalRefused(description: "no execution \(executionID.uuidString.lowercased())")
        }
        if let decision = row.string("decision") {
            return ApprovalRefused(description: "already \(decision) by \(row.string("decided_by") ?? "someone")")
        }
        return ApprovalRefused(description: "execution is \(row.string("status") ?? "?"), not awaiting approval")
    }

    /// Asks the engine to roll back a finished execution's fixes; refused up front when none of
    /// the fixes that ran can be undone, naming them. `harmful`: the person says the fix did harm,
    /// so the run counts as a failed fix; otherwise a rollback leaves the statistics as they were.
    public func requestRollback(_ executionID: UUID, approver: Approver, harmful: Bool = false) throws {
        try connection.transaction { tx in
            let updated = try tx.query("""
                UPDATE self_healing_executions e SET rollback_requested_by = $2, rollback_harmful = $3, next_action_at = now(),
                       updated_at = now()
                WHERE id = $1::uuid AND status = ANY($4::text[]) AND attempts > 0
                  AND rollback_requested_by IS NULL
                  AND EXISTS (SELECT 1 FROM self_healing_execution_steps s WHERE s.execution_id = e.id AND s.phase = 'fix'
                              AND s.status = 'succeeded' AND s.undo IS NOT NULL)
                RETURNING id
                """, [executionID, approver.name, harmful, PostgresArray(ExecutionStatus.rollbackable.map(\.rawValue))])
            guard !updated.rows.isEmpty else { throw try rollbackRefusal(executionID, in: tx) }
            try AuditTrail.append(kind: "rollback_requested", actor: "human:\(approver.name)",
                                  message: "rollback requested by \(approver.name)" + (approver.address.map { " from \($0)" } ?? "")
                                      + (harmful ? ", marking the fix harmful (it counts as a failed fix)" : ""),
                                  executionID: executionID, in: tx)
        }
    }
}

extension ApprovalRepository {
    /// Why a rollback request was not taken, in words the requester can act on.
    fileprivate func rollbackRefusal(_ executionID: UUID, in tx: PostgresConnection) throws -> ApprovalRefused {
        let row = try tx.query("SELECT status, attempts, rollback_requested_by FROM self_healing_executions WHERE id = $1::uuid",
                               [executionID]).first
        guard let row else { return ApprovalRefused(description: "no execution \(executionID.uuidString.lowercased())") }
        if let by = row.string("rollback_requested_by") { return ApprovalRefused(description: "rollback already requested by \(by)") }
        if row.int("attempts") == 0 { return ApprovalRefused(description: "nothing to roll back: no fix ran") }
        guard let status = row.string("status").flatMap(ExecutionStatus.init(rawValue:)), ExecutionStatus.rollbackable.contains(status) else {
            return ApprovalRefused(description: "execution is \(row.string("status") ?? "?"); only finished executions roll back")
        }
        let fixes = try tx.query("""
            SELECT DISTINCT step_id FROM self_healing_execution_steps
            WHERE execution_id = $1::uuid AND phase = 'fix' AND status = 'succeeded' ORDER BY step_id
            """, [executionID]).rows.compactMap { $0.string("step_id") }
        return ApprovalRefused(description: "nothing can be undone: " + (fixes.isEmpty ? "no fix step succeeded"
            : fixes.joined(separator: ", ") + (fixes.count == 1 ? " is" : " are") + " not reversible"))
    }
}

/// An approval request still waiting for a human.
public struct PendingApproval: Sendable {
    public var executionID: UUID
    public var requestedAt: Date
    public var sopName: String?
    public var alertTitle: String?
    /// The reason, risk, confidence and the operations exactly as they would run.
    public var summary: JSONValue
}

extension ApprovalRepository {
    /// Requests with no decision, oldest first.
    public func pending(limit: Int = 100) throws -> [PendingApproval] {
        try connection.query("""
            SELECT a.execution_id, a.requested_at, a.summary::text AS summary_text, s.sop_name, al.title
            FROM self_healing_approvals a JOIN self_healing_executions e ON e.id = a.execution_id
            LEFT JOIN self_healing_sops s ON s.id = e.sop_id LEFT JOIN intelligence_alerts al ON al.id = e.alert_id
            WHERE a.decision IS NULL AND e.status = 'awaiting_approval' ORDER BY a.requested_at LIMIT $1
            """, [limit]).rows.compactMap { row in
            row.uuid("execution_id").map {
                PendingApproval(executionID: $0, requestedAt: row.date("requested_at") ?? Date(), sopName: row.string("sop_name"),
                                alertTitle: row.string("title"),
                                summary: row.string("summary_text").flatMap { try? JSONValue(parsing: $0) } ?? .null)
            }
        }
    }
}
