import Foundation

/// One run of an incident: its SOP and version, decision, approval, times and every step it ran.
public struct IncidentExecution: Sendable, Equatable {
    public var id: UUID
    public var alertID: UUID?
    public var sopName: String?
    public var sopVersion: Int?
    public var status: ExecutionStatus
    public var mode: EngineMode
    /// What the engine decided after diagnosis; nil before it decided.
    public var decision: Decision?
    public var confidence: Int?
    /// Fix attempts started, and how many the SOP allows.
    public var attempts: Int
    public var maxAttempts: Int
    public var dryRun: Bool
    /// The declared instance it is for, when its SOP's targets are sets of instances.
    public var instance: String?
    public var startedAt: Date
    /// When the decision was written.
    public var decidedAt: Date?
    /// When the first fix attempt began.
    public var fixStartedAt: Date?
    /// When a verification passed (the run then succeeded, or escalated as its SOP asks after a fix).
    public var verifiedAt: Date?
    /// When the run last reached an end (a person's rollback ends it again later).
    public var completedAt: Date?
    public var escalationReason: String?
    /// The person who asked for the rollback of a finished run.
    public var rollbackRequestedBy: String?
    public var approval: IncidentApproval?
    /// Every step run, in the order they ran.
    public var steps: [IncidentStep]

    public init(id: UUID, alertID: UUID?, sopName: String?, sopVersion: Int?, status: ExecutionStatus, mode: EngineMode,
                decision: Decision? = nil, confidence: Int? = nil, attempts: Int = 0, maxAttempts: Int = 1, dryRun: Bool = false,
                instance: String? = nil, startedAt: Date, decidedAt: Date? = nil, fixStartedAt: Date? = nil, verifiedAt: Date? = nil,
                completedAt: Date? = nil, escalationReason: String? = nil, rollbackRequestedBy: String? = nil,
                approval: IncidentApproval? = nil, steps: [IncidentStep] = []) {
        self.id = id
        self.alertID = alertID
        self.sopName = sopName
        self.sopVersion = sopVersion
        self.status = status
        self.mode = mode
        self.decision = decision
        self.confidence = confidence
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.dryRun = dryRun
        self.instance = instance
        self.startedAt = startedAt
        self.decidedAt = decidedAt
        self.fixStartedAt = fixStartedAt
        self.verifiedAt = verifiedAt
        self.completedAt = completedAt
        self.escalationReason = escalationReason
        self.rollbackRequestedBy = rollbackRequestedBy
        self.approval = approval
        self.steps = steps
    }

    /// The first 8 characters of the id, as every list shows it.
    public var shortID: String { IncidentTimeline.short(id) }

    /// `failed-jobs v3`, or `no SOP` for the unknown path; a dry run says so.
    public var sopLabel: String {
        guard let sopName else { return "no SOP" }
        return sopName + (sopVersion.map { " v\($0)" } ?? "") + (dryRun ? " (dry run)" : "")
    }
}

/// An approval request of a run and its decision, with who decided, from where, when and why.
public struct IncidentApproval: Sendable, Equatable {
    public var requestedAt: Date
    /// Why the decision asked a person (the decision's reason).
    public var reason: String?
    /// The SOP's risk as the request stated it.
    public var risk: RiskLevel?
    /// What would run, as planned when asked: `id: plan`.
    public var plannedOperations: [String]
    /// Nil while nobody has decided.
    public var decision: ApprovalDecision?
    public var decidedBy: String?
    /// The client address the decision came from, when known.
    public var decidedFrom: String?
    public var decidedAt: Date?
    /// The reason the person gave (a rejection's), or the expiry's.
    public var decisionReason: String?

    public init(requestedAt: Date, reason: String? = nil, risk: RiskLevel? = nil, plannedOperations: [String] = [],
                decision: ApprovalDecision? = nil, decidedBy: String? = nil, decidedFrom: String? = nil, decidedAt: Date? = nil,
                decisionReason: String? = nil) {
        self.requestedAt = requestedAt
        self.reason = reason
        self.risk = risk
        self.plannedOperations = plannedOperations
        self.decision = decision
        self.decidedBy = decidedBy
        self.decidedFrom = decidedFrom
        self.decidedAt = decidedAt
        self.decisionReason = decisionReason
    }

    /// `approved by ana from 10.0.0.5: reason`, `expired: ...`, or `undecided`.
    public var outcome: String {
        guard let decision else { return "undecided" }
        var text = decision.rawValue
        if let decidedBy, decision != .expired { text += " by \(decidedBy)" }
        if let decidedFrom { text += " from \(decidedFrom)" }
        if let decisionReason { text += ": \(decisionReason)" }
        return text
    }
}
