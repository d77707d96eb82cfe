import Foundation

/// Something people should hear about: a diagnosis, a fix, an approval request, an escalation,
/// a resolution, or the daily report. Stored in the outbox as JSON; rendered per channel at send time.
public struct NotificationEvent: Sendable, Equatable, Codable {
    /// What happened.
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        case diagnosis
        case fixApplied = "fix_applied"
        case approvalNeeded = "approval_needed"
        /// Nobody decided an approval request within `engine.approval_ttl`; it was rejected.
        case approvalExpired = "approval_expired"
        case escalation
        case resolved
        case dailyReport = "daily_report"

        /// Words for titles ("Escalated", "Fix applied", ...).
        public var label: String {
            switch self {
            case .diagnosis: return "Diagnosis"
            case .fixApplied: return "Fix applied"
            case .approvalNeeded: return "Approval needed"
            case .approvalExpired: return "Approval expired"
            case .escalation: return "Escalated"
            case .resolved: return "Resolved"
            case .dailyReport: return "Daily report"
            }
        }

        /// An emoji per kind, as the seed's Slack messages use them.
        public var emoji: String {
            switch self {
            case .diagnosis: return "🔍"
            case .fixApplied: return "✅"
            case .approvalNeeded: return "🙋"
            case .approvalExpired: return "⌛"
            case .escalation: return "⚠️"
            case .resolved: return "🟢"
            case .dailyReport: return "🤖"
            }
        }
    }

    /// A labelled value shown with the message (confidence, attempts, SOP version...).
    public struct Fact: Sendable, Equatable, Codable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public var kind: Kind
    public var executionID: UUID?
    public var sopName: String?
    public var severity: Severity
    /// The problem, usually the alert's title.
    public var title: String
    /// What happened, in one or two sentences.
    public var summary: String
    /// What a person must do now (escalations, approvals).
    public var actionNeeded: String?
    public var facts: [Fact]
    public var occurredAt: Date
    /// The report itself, for `daily_report`.
    public var report: DailyReport?

    public init(kind: Kind, executionID: UUID? = nil, sopName: String? = nil, severity: Severity, title: String, summary: String,
                actionNeeded: String? = nil, facts: [Fact] = [], occurredAt: Date, report: DailyReport? = nil) {
        self.kind = kind
        self.executionID = executionID
        self.sopName = sopName
        self.severity = severity
        self.title = title
        self.summary = summary
        self.actionNeeded = actionNeeded
        self.facts = facts
        self.occurredAt = occurredAt
        self.report = report
    }

    /// The outbox key that makes enqueueing idempotent: one event of a kind per execution
    /// (a replayed transition after a crash does not notify twice).
    public var dedupKey: String {
        if kind == .dailyReport, let report { return "daily_report:\(report.reportDate)" }
        guard let executionID else { return "\(kind.rawValue):\(title):\(Int(occurredAt.timeIntervalSince1970))" }
        return "\(kind.rawValue):\(executionID.uuidString.lowercased())"
    }

    /// The PagerDuty dedup key: one incident per execution, shared by its trigger and resolve.
    public var incidentKey: String {
        "opsbrain-" + (executionID?.uuidString.lowercased() ?? "event-\(title.prefix(80))")
    }

    /// A one-line text form (Pushover message, Slack fallback text, logs).
    public var headline: String {
        "\(kind.emoji) \(kind.label): \(title)" + (sopName.map { " [\($0)]" } ?? "")
    }
}

extension NotificationEvent {
    /// The stored form: JSON text with sorted keys and dates as seconds since the epoch.
    public func encoded() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Reads the stored form back.
    public static func decode(_ text: String) throws -> NotificationEvent {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(NotificationEvent.self, from: Data(text.utf8))
    }
}
