import Foundation
import OpsBrainCore

/// One execution as the console lists it.
public struct ConsoleExecution: Sendable, Equatable {
    public var id: UUID
    public var key: KeysetKey
    public var status: String
    public var sopName: String?
    public var alertTitle: String?
    public var alertSeverity: String?
    public var confidence: Int?
    public var decision: String?
    public var mode: String
    public var dryRun: Bool
    public var attempts: Int
    public var startedAt: Date
    public var fixStartedAt: Date?
    public var completedAt: Date?
    public var resolutionMs: Int?
    public var approvedBy: String?

    public init(id: UUID, key: KeysetKey, status: String, sopName: String?, alertTitle: String?, alertSeverity: String? = nil,
                confidence: Int? = nil, decision: String? = nil, mode: String = "approval", dryRun: Bool = false, attempts: Int = 0,
                startedAt: Date, fixStartedAt: Date? = nil, completedAt: Date? = nil, resolutionMs: Int? = nil, approvedBy: String? = nil) {
        self.id = id
        self.key = key
        self.status = status
        self.sopName = sopName
        self.alertTitle = alertTitle
        self.alertSeverity = alertSeverity
        self.confidence = confidence
        self.decision = decision
        self.mode = mode
        self.dryRun = dryRun
        self.attempts = attempts
        self.startedAt = startedAt
        self.fixStartedAt = fixStartedAt
        self.completedAt = completedAt
        self.resolutionMs = resolutionMs
        self.approvedBy = approvedBy
    }
}

/// One step run of an execution.
public struct ConsoleStep: Sendable, Equatable {
    public var phase: String
    public var stepID: String
    public var attempt: Int
    public var status: String
    public var result: JSONValue
    public var startedAt: Date
    public var finishedAt: Date?

    public init(phase: String, stepID: String, attempt: Int, status: String, result: JSONValue, startedAt: Date, finishedAt: Date?) {
        self.phase = phase
        self.stepID = stepID
        self.attempt = attempt
        self.status = status
        self.result = result
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}

/// An approval request and its decision, if any.
public struct ConsoleApprovalDecision: Sendable, Equatable {
    public var requestedAt: Date
    public var summary: JSONValue
    public var decision: String?
    public var decidedBy: String?
    public var decidedFrom: String?
    public var decidedAt: Date?
    public var reason: String?

    public init(requestedAt: Date, summary: JSONValue, decision: String? = nil, decidedBy: String? = nil, decidedFrom: String? = nil,
                decidedAt: Date? = nil, reason: String? = nil) {
        self.requestedAt = requestedAt
        self.summary = summary
        self.decision = decision
        self.decidedBy = decidedBy
        self.decidedFrom = decidedFrom
        self.decidedAt = decidedAt
        self.reason = reason
    }
}

/// Everything the executions view shows about the selected execution.
public struct ConsoleExecutionDetail: Sendable, Equatable {
    public var execution: ConsoleExecution
    public var breakdown: JSONValue?
    public var diagnosis: JSONValue?
    public var fixActions: JSONValue?
    public var verification: JSONValue?
    public var escalationReason: String?
    public var rollbackRequestedBy: String?
    public var approval: ConsoleApprovalDecision?
    public var steps: [ConsoleStep]
    /// The SOP's action for the human (its escalate operation's `action`), when one applied.
    public var humanAction: String?
    /// Who was told, through which channel and when: the notifications' deliveries, newest first.
    public var deliveries: [DeliveryRecord]

    public init(execution: ConsoleExecution, breakdown: JSONValue? = nil, diagnosis: JSONValue? = nil, fixActions: JSONValue? = nil,
                verification: JSONValue? = nil, escalationReason: String? = nil, rollbackRequestedBy: String? = nil,
                approval: ConsoleApprovalDecision? = nil, steps: [ConsoleStep] = [], humanAction: String? = nil,
                deliveries: [DeliveryRecord] = []) {
        self.execution = execution
        self.breakdown = breakdown
        self.diagnosis = diagnosis
        self.fixActions = fixActions
        self.verification = verification
        self.escalationReason = escalationReason
        self.rollbackRequestedBy = rollbackRequestedBy
        self.approval = approval
        self.steps = steps
        self.humanAction = humanAction
        self.deliveries = deliveries
    }
}

extension ConsoleQueries {
    static let executionKeyset = KeysetSQL(timeColumn: "e.started_at", idColumn: "e.id", idType: "uuid")
    static let executionColumns = """
        e.id, e.started_at, e.status, s.sop_name, al.title AS alert_title, al.severity AS alert_severity, e.confidence_score,
        e.decision, e.mode, e.dry_run, e.attempts, e.fix_started_at, e.completed_at, e.total_resolution_time_ms, e.approved_by
        """
    static let executionJoins = """
        FROM self_healing_executions e LEFT JOIN self_healing_sops s ON s.id = e.sop_id
        LEFT JOIN intelligence_alerts al ON al.id = e.alert_id
        """

    /// Executions newest first (dry runs have their own view): one keyset page, optionally filtered by a
    /// regex over status, SOP, decision and alert title.
    public func executions(_ page: KeysetPage, filter: ListFilter? = nil) throws -> [ConsoleExecution] {
        let parameters = SQLParameters()
        let keyset = Self.executionKeyset.clause(page, parameters)
        let condition = Self.filterCondition(filter, haystack: "e.status || ' ' || coalesce(s.sop_name, '') || ' ' || "
                                             + "coalesce(e.decision, '') || ' ' || coalesce(al.title, '') || ' ' || e.id::text", parameters)
        return try list("""
            SELECT \(Self.executionColumns) \(Self.executionJoins)
            WHERE NOT e.dry_run AND \(keyset.condition) AND \(condition) ORDER BY \(keyset.order) LIMIT \(keyset.limit)
            """, parameters, reversed: keyset.reversed).compactMap(Self.execution)
    }

    /// The selected execution with its confidence breakdown, steps and approval.
    public func executionDetail(_ id: UUID) throws -> ConsoleExecutionDetail? {
        guard let row = try connection.query("""
            SELECT \(Self.executionColumns), e.confidence_breakdown::text AS breakdown, e.diagnosis_results::text AS diagnosis,
                   e.fix_actions_taken::text AS fixes, e.verification_results::text AS verification, e.escalation_reason,
                   e.rollback_requested_by, ap.requested_at, ap.summary::text AS approval_summary, ap.decision AS approval_decision,
                   ap.decided_by, ap.decided_from, ap.decided_at, ap.reason, \(ReportRepository.sopActionColumn)
            \(Self.executionJoins) LEFT JOIN self_healing_approvals ap ON ap.execution_id = e.id
            WHERE e.id = $1::uuid
            """, [id]).first, let execution = Self.execution(row) else { return nil }
        let approval = row.date("requested_at").map {
            ConsoleApprovalDecision(requestedAt: $0, summary: row.json("approval_summary") ?? .null, decision: row.string("approval_decision"),
                                    decidedBy: row.string("decided_by"), decidedFrom: row.string("decided_from"),
                                    decidedAt: row.date("decided_at"), reason: row.string("reason"))
        }
        return ConsoleExecutionDetail(
            execution: execution, breakdown: row.json("breakdown"), diagnosis: row.json("diagnosis"), fixActions: row.json("fixes"),
            verification: row.json("verification"), escalationReason: row.string("escalation_reason"),
            rollbackRequestedBy: row.string("rollback_requested_by"), approval: approval, steps: try steps(of: id),
            humanAction: row.string("sop_action"),
            deliveries: try NotificationRepository(connection: connection).deliveries(limit: 20, executionID: id))
    }

    /// An SOP's runbook: the Markdown below its front matter, and its version.
    public func runbook(_ sopName: String) throws -> (version: Int, text: String)? {
        try connection.query("SELECT version, body FROM self_healing_sops WHERE sop_name = $1", [sopName]).first.map {
            ($0.int("version") ?? 0, $0.string("body") ?? "")
        }
    }

    /// The step runs of one execution, in the order they ran (at most 200).
    public func steps(of id: UUID) throws -> [ConsoleStep] {
        try connection.query("""
            SELECT phase, step_id, attempt, status, left(result::text, 8000) AS result_text, started_at, finished_at
            FROM self_healing_execution_steps WHERE execution_id = $1::uuid ORDER BY id LIMIT 200
            """, [id]).rows.map {
            ConsoleStep(phase: $0.string("phase") ?? "", stepID: $0.string("step_id") ?? "", attempt: $0.int("attempt") ?? 1,
                        status: $0.string("status") ?? "", result: $0.json("result_text") ?? .string($0.string("result_text") ?? ""),
                        startedAt: $0.date("started_at") ?? Date(), finishedAt: $0.date("finished_at"))
        }
    }

    /// An execution list row from a result row.
    static func execution(_ row: Row) -> ConsoleExecution? {
        guard let id = row.uuid("id"), let started = row.string("started_at") else { return nil }
        return ConsoleExecution(
            id: id, key: KeysetKey(time: started, id: id.uuidString.lowercased()), status: row.string("status") ?? "",
            sopName: row.string("sop_name"), alertTitle: row.string("alert_title"), alertSeverity: row.string("alert_severity"),
            confidence: row.int("confidence_score"), decision: row.string("decision"), mode: row.string("mode") ?? "",
            dryRun: row.bool("dry_run") ?? false, attempts: row.int("attempts") ?? 0, startedAt: row.date("started_at") ?? Date(),
            fixStartedAt: row.date("fix_started_at"), completedAt: row.date("completed_at"),
            resolutionMs: row.int("total_resolution_time_ms"), approvedBy: row.string("approved_by"))
    }
}
