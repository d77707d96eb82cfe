import Foundation

/// What the store knows about a report window, before any computing.
public struct ReportFacts: Sendable {
    public var windowStart: Date
    public var windowEnd: Date
    /// Alerts that arrived in the window (rejected ones excluded).
    public var alertsDetected: Int
    /// Executions that started or finished in the window (dry runs excluded).
    public var executions: [ExecutionFact]
    /// Executions waiting for approval now, whenever they started.
    public var awaitingApproval: [ExecutionFact]
    /// Probe samples for predictions and the cost watch (usually the last 7 days).
    public var samples: [ProbeSample]
    public var llm: LLMMonthUsage?
    public var failedNotifications: Int

    public init(windowStart: Date, windowEnd: Date, alertsDetected: Int = 0, executions: [ExecutionFact] = [],
                awaitingApproval: [ExecutionFact] = [], samples: [ProbeSample] = [], llm: LLMMonthUsage? = nil, failedNotifications: Int = 0) {
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.alertsDetected = alertsDetected
        self.executions = executions
        self.awaitingApproval = awaitingApproval
        self.samples = samples
        self.llm = llm
        self.failedNotifications = failedNotifications
    }
}

/// One execution as the report and the learning analysis see it.
public struct ExecutionFact: Sendable, Equatable {
    public var id: UUID
    public var status: ExecutionStatus
    public var sopName: String?
    public var sopVersion: Int?
    public var title: String
    public var severity: Severity
    public var startedAt: Date
    public var completedAt: Date?
    /// The fix's time, from its first step to the end (nil when no fix ran).
    public var resolutionMs: Int?
    /// From the approval request to its approval (nil unless a person approved).
    public var approvalWaitMs: Int?
    public var attempts: Int
    public var wasEffective: Bool?
    public var approvedBy: String?
    public var escalationReason: String?
    /// The `action` of the escalate step that applied, when the SOP has one.
    public var escalationAction: String?
    /// What the fix steps reported, in order.
    public var fixSummaries: [String]
    /// Fix steps that failed, with their message.
    public var failedFixSteps: [String: String]
    /// `step=verdict` for every diagnosis step, plus the diagnosis findings.
    public var diagnosisSignals: [String]

    public init(id: UUID, status: ExecutionStatus, sopName: String?, sopVersion: Int? = nil, title: String, severity: Severity = .medium,
                startedAt: Date, completedAt: Date? = nil, resolutionMs: Int? = nil, approvalWaitMs: Int? = nil, attempts: Int = 0, wasEffective: Bool? = nil,
                approvedBy: String? = nil, escalationReason: String? = nil, escalationAction: String? = nil, fixSummaries: [String] = [],
                failedFixSteps: [String: String] = [:], diagnosisSignals: [String] = []) {
        self.id = id
        self.status = status
        self.sopName = sopName
        self.sopVersion = sopVersion
        self.title = title
        self.severity = severity
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.resolutionMs = resolutionMs
        self.approvalWaitMs = approvalWaitMs
        self.attempts = attempts
        self.wasEffective = wasEffective
        self.approvedBy = approvedBy
        self.escalationReason = escalationReason
        self.escalationAction = escalationAction
        self.fixSummaries = fixSummaries
        self.failedFixSteps = failedFixSteps
        self.diagnosisSignals = diagnosisSignals
    }

    /// The first 8 characters of the id, as commands accept it.
    public var shortID: String { String(id.uuidString.lowercased().prefix(8)) }
}

/// The LLM assist's use this month.
public struct LLMMonthUsage: Sendable, Equatable {
    public var month: String
    public var costUSD: Double
    public var tokens: Int
    public var calls: Int
    /// Calls skipped because the budget was spent.
    public var skipped: Int
    public var budgetUSD: Double?
    public var tokenBudget: Int?

    public init(month: String, costUSD: Double, tokens: Int, calls: Int, skipped: Int, budgetUSD: Double?, tokenBudget: Int?) {
        self.month = month
        self.costUSD = costUSD
        self.tokens = tokens
        self.calls = calls
        self.skipped = skipped
        self.budgetUSD = budgetUSD
        self.tokenBudget = tokenBudget
    }
}
