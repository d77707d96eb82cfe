import Foundation
import OpsBrainCore

/// An execution row as the engine works with it.
public struct ExecutionRecord: Sendable {
    public var id: UUID
    public var alertID: UUID?
    public var sopID: UUID?
    public var sopName: String?
    public var sopVersion: Int?
    public var state: ExecutionState
    public var mode: EngineMode
    public var verifyHard: Bool
    public var applicableFixes: [String]
    public var diagnosisResults: JSONValue?
    public var confidence: Int?
    public var patternScore: Int?
    public var startedAt: Date
    public var rollbackRequestedBy: String?
    /// The approval decision, when one was made.
    public var approval: ApprovalDecision?
    public var approvedBy: String?
    /// Which of its SOP's instances it is for, when the SOP's targets are sets of instances.
    public var instance: InstancePlacement?

    static let columns = """
        e.id, e.alert_id, e.sop_id, s.sop_name, e.sop_version, e.status, e.attempts, e.max_attempts,
        e.escalate_after_fix, e.dry_run, e.escalation_reason, e.mode, e.verify_hard, e.applicable_fixes,
        e.diagnosis_results, e.confidence_score, e.pattern_score, e.started_at, e.rollback_requested_by, e.rollback_harmful,
        a.decision AS approval_decision, a.decided_by AS approval_by, e.instance_scope, e.instance_key
        """
    static let joins = """
        FROM self_healing_executions e
        LEFT JOIN self_healing_sops s ON s.id = e.sop_id
        LEFT JOIN self_healing_approvals a ON a.execution_id = e.id
        """

    init(row: Row) throws {
        guard let id = row.uuid("id"), let status = row.string("status").flatMap(ExecutionStatus.init(rawValue:)) else {
            throw PostgresError(kind: .decoding, message: "execution row without id or with an unknown status")
        }
        self.id = id
        alertID = row.uuid("alert_id")
        sopID = row.uuid("sop_id")
        sopName = row.string("sop_name")
        sopVersion = row.int("sop_version")
        state = ExecutionState(status: status, attempt: row.int("attempts") ?? 0, maxAttempts: row.int("max_attempts") ?? 1,
                               escalateAfterFix: row.bool("escalate_after_fix") ?? false, dryRun: row.bool("dry_run") ?? false,
                               manualRollback: row.string("rollback_requested_by") != nil,
                               harmfulRollback: row.bool("rollback_harmful") ?? false,
                               escalationReason: row.string("escalation_reason"))
        mode = row.string("mode").flatMap(EngineMode.init(rawValue:)) ?? .approval
        verifyHard = row.bool("verify_hard") ?? false
        applicableFixes = row.json("applicable_fixes")?.arrayValue?.compactMap(\.stringValue) ?? []
        diagnosisResults = row.json("diagnosis_results")
        confidence = row.int("confidence_score")
        patternScore = row.int("pattern_score")
        startedAt = row.date("started_at") ?? Date()
        rollbackRequestedBy = row.string("rollback_requested_by")
        approval = row.string("approval_decision").flatMap(ApprovalDecision.init(rawValue:))
        approvedBy = row.string("approval_by")
        instance = InstancePlacement(row: row)
    }
}

/// The columns a transition changes besides the status.
public struct ExecutionPatch: Sendable {
    public var diagnosisResults: JSONValue?
    public var verificationResults: JSONValue?
    public var fixActions: JSONValue?
    public var confidence: ConfidenceBreakdown?
    public var decision: String?
    public var applicableFixes: [String]?
    public var verifyHard: Bool?
    /// When the engine should look at the execution again (nil: only on an outside event).
    public var nextActionAt: Date?
    public var outcome: JSONValue?

    public init() {}
}

/// One audit row to write with a transition.
public struct AuditEntry: Sendable {
    public var kind: String
    public var actor: String
    public var message: String
    public var details: JSONValue

    public init(kind: String, actor: String, message: String, details: JSONValue = .object([:])) {
        self.kind = kind
        self.actor = actor
        self.message = message
        self.details = details
    }
}
