/// A notification service the outbox worker sends through (the port; Runners speak HTTP).
public protocol NotificationChannel: Sendable {
    var kind: NotificationChannelKind { get }
    /// One attempt to deliver `event` as `plan` says; never throws, the outcome says what happened.
    func deliver(_ event: NotificationEvent, plan: PlannedDelivery) -> DeliveryOutcome
}
