import Foundation

/// One notification of an incident on one channel, with every attempt to deliver it.
public struct IncidentDelivery: Sendable, Equatable {
    /// Where a delivery stands.
    public enum Status: String, Sendable, Equatable, CaseIterable {
        case pending, sent, failed
    }

    /// One attempt to deliver.
    public struct Attempt: Sendable, Equatable {
        /// How one attempt came out.
        public enum Outcome: String, Sendable, Equatable, CaseIterable {
            case sent, retry, failed
        }

        public var number: Int
        public var at: Date
        public var outcome: Outcome
        public var httpStatus: Int?
        public var error: String?

        public init(number: Int, at: Date, outcome: Outcome, httpStatus: Int? = nil, error: String? = nil) {
            self.number = number
            self.at = at
            self.outcome = outcome
            self.httpStatus = httpStatus
            self.error = error
        }
    }

    public var executionID: UUID?
    /// What the notification announced.
    public var event: NotificationEvent.Kind
    public var channel: NotificationChannelKind
    public var action: DeliveryAction
    /// The Slack channel, when there is one.
    public var destination: String?
    public var status: Status
    public var createdAt: Date
    public var attempts: [Attempt]

    public init(executionID: UUID?, event: NotificationEvent.Kind, channel: NotificationChannelKind, action: DeliveryAction,
                destination: String? = nil, status: Status, createdAt: Date, attempts: [Attempt] = []) {
        self.executionID = executionID
        self.event = event
        self.channel = channel
        self.action = action
        self.destination = destination
        self.status = status
        self.createdAt = createdAt
        self.attempts = attempts
    }

    /// `slack post #ops (escalation)`: the channel, what was done there, and for which event.
    public var label: String {
        "\(channel.rawValue) \(action.rawValue)" + (destination.map { " \($0)" } ?? "") + " (\(event.rawValue))"
    }
}
