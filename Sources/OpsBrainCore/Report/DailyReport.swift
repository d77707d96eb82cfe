import Foundation

/// The daily ops report: what happened in the window, what needs a human, what costs, what is coming.
///
/// Built from stored facts by `DailyReportBuilder`, rendered by `DailyReportRenderer` (text,
/// Markdown) and `SlackReportRenderer` (Block Kit). Numbers never come from the LLM; it may
/// only add `prose`.
public struct DailyReport: Sendable, Equatable, Codable {
    /// The headline numbers.
    public struct Stats: Sendable, Equatable, Codable {
        public var issuesDetected: Int
        /// Fixed and verified without a person.
        public var autoFixed: Int
        /// Fixed and verified after a person approved (nil in reports stored before it was counted).
        public var fixedWithApproval: Int?
        public var escalated: Int
        public var awaitingApproval: Int
        public var diagnosedOnly: Int
        /// Successful fixes among the executions where a fix ran, 0...1; nil when no fix ran.
        public var fixSuccessRate: Double?
        /// From each successful fix's first step to its verified end; waiting for approval is not in it.
        public var averageFixMs: Int?
        /// From the approval request to the approval, over the fixes a person approved.
        public var averageApprovalWaitMs: Int?

        public init(issuesDetected: Int = 0, autoFixed: Int = 0, fixedWithApproval: Int = 0, escalated: Int = 0, awaitingApproval: Int = 0,
                    diagnosedOnly: Int = 0, fixSuccessRate: Double? = nil, averageFixMs: Int? = nil, averageApprovalWaitMs: Int? = nil) {
            self.issuesDetected = issuesDetected
            self.autoFixed = autoFixed
            self.fixedWithApproval = fixedWithApproval
            self.escalated = escalated
            self.awaitingApproval = awaitingApproval
            self.diagnosedOnly = diagnosedOnly
            self.fixSuccessRate = fixSuccessRate
            self.averageFixMs = averageFixMs
            self.averageApprovalWaitMs = averageApprovalWaitMs
        }
    }

    /// One fix that worked.
    public struct Fix: Sendable, Equatable, Codable {
        public var at: Date
        public var title: String
        public var sopName: String?
        /// What was done, e.g. "Reconnected, verified".
        public var actions: String
        public var approvedBy: String?
        /// The fix's own time (approval wait excluded).
        public var durationMs: Int?
        /// How long the fix waited for `approvedBy`.
        public var approvalWaitMs: Int?

        public init(at: Date, title: String, sopName: String?, actions: String, approvedBy: String? = nil, durationMs: Int? = nil,
                    approvalWaitMs: Int? = nil) {
            self.at = at
            self.title = title
            self.sopName = sopName
            self.actions = actions
            self.approvedBy = approvedBy
            self.durationMs = durationMs
            self.approvalWaitMs = approvalWaitMs
        }
    }

    /// Something a person must act on: an escalation or a fix waiting for approval.
    public struct HumanItem: Sendable, Equatable, Codable {
        public var at: Date
        public var title: String
        public var sopName: String?
        public var severity: Severity
        /// Why the system stopped.
        public var reason: String
        /// What the person should do.
        public var action: String
        public var executionID: UUID?

        public init(at: Date, title: String, sopName: String?, severity: Severity, reason: String, action: String, executionID: UUID? = nil) {
            self.at = at
            self.title = title
            self.sopName = sopName
            self.severity = severity
            self.reason = reason
            self.action = action
            self.executionID = executionID
        }
    }

    /// One line of the cost watch.
    public struct Cost: Sendable, Equatable, Codable {
        public var name: String
        public var amount: Double
        public var currency: String
        /// "normal", "spike (2.3× usual)", "budget reached", ...
        public var note: String

        public init(name: String, amount: Double, currency: String = "USD", note: String) {
            self.name = name
            self.amount = amount
            self.currency = currency
            self.note = note
        }
    }

    public var reportDate: String
    public var windowStart: Date
    public var windowEnd: Date
    /// The zone times are shown in (IANA name).
    public var timeZone: String
    public var healthScore: Int
    public var stats: Stats
    public var fixes: [Fix]
    public var escalations: [HumanItem]
    public var approvals: [HumanItem]
    public var costs: [Cost]
    public var predictions: [Prediction]
    /// Deliveries that failed for good in the window (they are listed by `opsbrain report notifications`).
    public var failedNotifications: Int
    /// A summary the LLM wrote, when enabled and within budget.
    public var prose: String?
    /// Visible remarks, e.g. that the LLM was skipped because the budget is spent.
    public var notes: [String]

    public init(reportDate: String, windowStart: Date, windowEnd: Date, timeZone: String, healthScore: Int = 100, stats: Stats = .init(),
                fixes: [Fix] = [], escalations: [HumanItem] = [], approvals: [HumanItem] = [], costs: [Cost] = [],
                predictions: [Prediction] = [], failedNotifications: Int = 0, prose: String? = nil, notes: [String] = []) {
        self.reportDate = reportDate
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.timeZone = timeZone
        self.healthScore = healthScore
        self.stats = stats
        self.fixes = fixes
        self.escalations = escalations
        self.approvals = approvals
        self.costs = costs
        self.predictions = predictions
        self.failedNotifications = failedNotifications
        self.prose = prose
        self.notes = notes
    }

    /// True when nobody needs to do anything.
    public var needsNoAction: Bool { escalations.isEmpty && approvals.isEmpty && failedNotifications == 0 }
}

extension DailyReport {
    /// The stored form: JSON text with sorted keys and dates as seconds since the epoch.
    public func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Reads the stored form back.
    public static func decode(_ text: String) throws -> DailyReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(DailyReport.self, from: Data(text.utf8))
    }
}
