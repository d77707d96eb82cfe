/// The machine part of an SOP: when it applies, what it checks, what it may fix, how it verifies.
public struct SOPDefinition: Sendable, Equatable {
    public var name: String
    public var category: String
    public var agent: Agent
    public var description: String
    public var severity: Severity
    public var risk: RiskLevel
    public var autoFix: Bool
    public var requiresApproval: Bool
    public var maxExecutionsPerHour: Int
    public var cooldownMinutes: Int
    public var trigger: TriggerRule
    public var diagnosis: [StepSpec]
    public var fix: [FixOperationSpec]
    public var verification: VerificationSpec
    public var escalateIf: [EscalationRule]
    public var notification: NotificationPolicy
    /// The SOP's own mode; the engine uses the stricter of it and its global mode.
    public var mode: EngineMode?
    /// What it declares as differing per deployment, by name order, with the values substituted here.
    public var parameters: [SOPParameter]

    public init(name: String, category: String, agent: Agent, description: String, severity: Severity,
                risk: RiskLevel, autoFix: Bool = false, requiresApproval: Bool = true,
                maxExecutionsPerHour: Int = 3, cooldownMinutes: Int = 30, trigger: TriggerRule,
                diagnosis: [StepSpec], fix: [FixOperationSpec] = [], verification: VerificationSpec = .init(),
                escalateIf: [EscalationRule] = [], notification: NotificationPolicy = .init(), mode: EngineMode? = nil,
                parameters: [SOPParameter] = []) {
        self.name = name
        self.category = category
        self.agent = agent
        self.description = description
        self.severity = severity
        self.risk = risk
        self.autoFix = autoFix
        self.requiresApproval = requiresApproval
        self.maxExecutionsPerHour = maxExecutionsPerHour
        self.cooldownMinutes = cooldownMinutes
        self.trigger = trigger
        self.diagnosis = diagnosis
        self.fix = fix
        self.verification = verification
        self.escalateIf = escalateIf
        self.notification = notification
        self.mode = mode
        self.parameters = parameters
    }
}

/// The agent (seed plan) that owns an SOP.
public enum Agent: String, Sendable, CaseIterable, Codable {
    case infra, data, api, ux, cost, security
}

/// When an SOP applies to an alert.
public struct TriggerRule: Sendable, Equatable {
    public var alertTypes: [String]
    /// Regular expressions matched against the alert title.
    public var titlePatterns: [String]
    public var labels: [String: LabelMatcher]
    public var severityMin: Severity?

    public init(alertTypes: [String] = [], titlePatterns: [String] = [], labels: [String: LabelMatcher] = [:],
                severityMin: Severity? = nil) {
        self.alertTypes = alertTypes
        self.titlePatterns = titlePatterns
        self.labels = labels
        self.severityMin = severityMin
    }
}

/// A label condition: an exact value, or a regular expression (written with a leading `~`).
public enum LabelMatcher: Sendable, Equatable {
    case equals(String)
    case matches(String)

    /// Reads the file syntax: `value` or `~regex`.
    public init(text: String) {
        self = text.hasPrefix("~") ? .matches(String(text.dropFirst())) : .equals(text)
    }

    public var text: String {
        switch self {
        case .equals(let value): return value
        case .matches(let pattern): return "~" + pattern
        }
    }
}

/// How the fix is confirmed.
public struct VerificationSpec: Sendable, Equatable {
    public var waitBefore: Duration
    /// Fix-and-verify rounds before rollback and escalation.
    public var attempts: Int
    public var rerunAlertCheck: Bool
    public var steps: [StepSpec]

    public init(waitBefore: Duration = .zero, attempts: Int = 1, rerunAlertCheck: Bool = true, steps: [StepSpec] = []) {
        self.waitBefore = waitBefore
        self.attempts = attempts
        self.rerunAlertCheck = rerunAlertCheck
        self.steps = steps
    }
}

/// A rule that hands the problem to a human.
public struct EscalationRule: Sendable, Equatable {
    public var when: Condition
    public var reason: String

    public init(when: Condition, reason: String) {
        self.when = when
        self.reason = reason
    }
}

/// Where an SOP's outcomes are announced.
public struct NotificationPolicy: Sendable, Equatable {
    /// When a channel is used.
    public enum When: String, Sendable, CaseIterable, Codable { case never, escalation, always }

    public var slackChannel: String?
    public var pushover: When
    public var pagerduty: When

    public init(slackChannel: String? = nil, pushover: When = .escalation, pagerduty: When = .never) {
        self.slackChannel = slackChannel
        self.pushover = pushover
        self.pagerduty = pagerduty
    }

    /// The policy of an alert no SOP matched: it has no runbook to say otherwise, so it pages by
    /// its severity (PagerDuty for high and critical escalations, Pushover for every escalation).
    public static func unmatched(severity: Severity) -> NotificationPolicy {
        NotificationPolicy(pushover: .escalation, pagerduty: severity >= .high ? .escalation : .never)
    }
}
