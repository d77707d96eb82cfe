/// A notification service.
public enum NotificationChannelKind: String, Sendable, CaseIterable, Codable, Comparable {
    case slack, pushover, pagerduty

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What a delivery does on its service.
public enum DeliveryAction: String, Sendable, Codable, CaseIterable {
    /// Slack and Pushover: post a message.
    case post
    /// PagerDuty: open (or add to) the incident.
    case trigger
    /// PagerDuty: close the incident.
    case resolve
}

/// One planned send of an event on one channel.
public struct PlannedDelivery: Sendable, Equatable {
    public var channel: NotificationChannelKind
    public var action: DeliveryAction
    /// The Slack channel, when there is one.
    public var destination: String?
    /// Pushover priority (−2...2); nil elsewhere.
    public var priority: Int?

    public init(channel: NotificationChannelKind, action: DeliveryAction, destination: String? = nil, priority: Int? = nil) {
        self.channel = channel
        self.action = action
        self.destination = destination
        self.priority = priority
    }
}

/// Decides which channels hear about an event, from the SOP's notification policy and the outcome.
///
/// - Slack: every event, on the SOP's channel (else the configured default).
/// - Pushover: escalations when the policy says `escalation` or `always`; every other outcome only
///   with `always` (and then at most normal priority). Never resolutions or reports.
/// - PagerDuty: trigger on escalation (`escalation` or `always`) and on approval requests (`always`);
///   resolve on a fix or resolution, only when this execution triggered an incident before.
public enum NotificationRouting {
    /// The deliveries for `event`. `configured` are the channels with settings; `incidentOpen`
    /// says whether a PagerDuty trigger was already sent for this execution.
    public static func plan(_ event: NotificationEvent, policy: NotificationPolicy, configured: Set<NotificationChannelKind>,
                            defaultSlackChannel: String?, incidentOpen: Bool) -> [PlannedDelivery] {
        var plans: [PlannedDelivery] = []
        if configured.contains(.slack) {
            plans.append(PlannedDelivery(channel: .slack, action: .post, destination: policy.slackChannel ?? defaultSlackChannel))
        }
        if configured.contains(.pushover), let priority = pushoverPriority(event, policy: policy.pushover) {
            plans.append(PlannedDelivery(channel: .pushover, action: .post, priority: priority))
        }
        if configured.contains(.pagerduty), let action = pagerDutyAction(event, policy: policy.pagerduty, incidentOpen: incidentOpen) {
            plans.append(PlannedDelivery(channel: .pagerduty, action: action))
        }
        return plans
    }

    /// Pushover priority by severity: info −2, low −1, medium 0, high 1, critical 2 (emergency).
    public static func priority(for severity: Severity) -> Int {
        switch severity {
        case .info: return -2
        case .low: return -1
        case .medium: return 0
        case .high: return 1
        case .critical: return 2
        }
    }

    /// PagerDuty's severity words for ours.
    public static func pagerDutySeverity(_ severity: Severity) -> String {
        switch severity {
        case .critical: return "critical"
        case .high: return "error"
        case .medium: return "warning"
        case .low, .info: return "info"
        }
    }

    private static func pushoverPriority(_ event: NotificationEvent, policy: NotificationPolicy.When) -> Int? {
        switch (event.kind, policy) {
        case (.dailyReport, _), (.resolved, _), (_, .never): return nil
        case (.escalation, _): return priority(for: event.severity)
        case (_, .always): return min(0, priority(for: event.severity))
        default: return nil
        }
    }

    private static func pagerDutyAction(_ event: NotificationEvent, policy: NotificationPolicy.When, incidentOpen: Bool) -> DeliveryAction? {
        guard policy != .never, event.executionID != nil else { return nil }
        switch event.kind {
        case .escalation: return .trigger
        case .approvalNeeded: return policy == .always ? .trigger : nil
        case .fixApplied, .resolved: return incidentOpen ? .resolve : nil
        case .diagnosis, .approvalExpired, .dailyReport: return nil
        }
    }
}

extension NotificationPolicy {
    /// The policy as SOP front matter writes it: `{"slack": "#ops", "pushover": "escalation", "pagerduty": "never"}`.
    public var json: JSONValue {
        var fields: [String: JSONValue] = ["pushover": .string(pushover.rawValue), "pagerduty": .string(pagerduty.rawValue)]
        if let slackChannel { fields["slack"] = .string(slackChannel) }
        return .object(fields)
    }

    /// Reads the front-matter form; missing or unknown words keep the defaults.
    public init(json: JSONValue?) {
        self.init(slackChannel: json?["slack"]?.stringValue,
                  pushover: json?["pushover"]?.stringValue.flatMap(When.init(rawValue:)) ?? .escalation,
                  pagerduty: json?["pagerduty"]?.stringValue.flatMap(When.init(rawValue:)) ?? .never)
    }
}
