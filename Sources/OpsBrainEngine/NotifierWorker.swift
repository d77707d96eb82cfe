import Foundation
import Logging
import OpsBrainCore
import OpsBrainPostgres

/// The outbox worker: routes new notification events to channels and delivers what is due, on its
/// own thread and connection, so a slow or failing service never holds up the pipeline.
///
/// Several engines may run one each: events and deliveries are claimed with SKIP LOCKED and a
/// lease. Every attempt is recorded; failures are logged and listed by `opsbrain report notifications`.
public final class NotifierWorker: @unchecked Sendable {
    public let workerID: String
    private let conninfo: String
    private let settings: NotificationSettings
    private let channels: [NotificationChannelKind: any NotificationChannel]
    private let jitter: @Sendable () -> Double
    private let logger = Logger(label: "opsbrain.notifier")
    private let state = NSLock()
    private var stopping = false
    private var thread: Thread?
    /// Per channel, the earliest time the next request may go (Slack: about one a second, longer after a 429).
    private var holdUntil: [NotificationChannelKind: ContinuousClock.Instant] = [:]
    /// Slack asks incoming webhooks for about one message a second.
    static let slackSpacing: Duration = .seconds(1)
    /// The longest the worker sleeps when nothing wakes it.
    static let idleWait: Duration = .seconds(5)
    static let leaseSeconds = 120

    /// A worker for the configured `channels` (one per kind).
    public init(conninfo: String, settings: NotificationSettings, channels: [any NotificationChannel], workerID: String,
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.conninfo = conninfo
        self.settings = settings
        self.channels = Dictionary(channels.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
        self.workerID = workerID
        self.jitter = jitter
    }

    /// Starts the worker thread (a no-op when no channel is configured).
    public func start() {
        guard !channels.isEmpty else { return }
        let thread = Thread { [self] in loop() }
        thread.name = "opsbrain-notifier"
        state.withLock { self.thread = thread }
        thread.start()
    }

    /// Asks the thread to stop after the delivery it is on.
    public func stop() { state.withLock { stopping = true } }

    private var shouldStop: Bool { state.withLock { stopping } }

    private func loop() {
        var connection: PostgresConnection?
        while !shouldStop {
            do {
                if connection == nil {
                    connection = try PostgresConnection(conninfo: conninfo, applicationName: "opsbrain-notifier")
                    try connection?.listen("opsbrain_events")
                }
                if let connection, try drain(connection) == 0 {
                    _ = try connection.waitForNotifications(timeout: Self.idleWait)
                }
            } catch {
                logger.error("notifier pass failed", metadata: ["error": "\(error)"])
                connection?.close()
                connection = nil
                Thread.sleep(forTimeInterval: 2)
            }
        }
        connection?.close()
    }

    /// Routes new events and makes one attempt at every due delivery (only `notificationID`'s when
    /// given); returns how many attempts it made.
    @discardableResult
    public func drain(_ connection: PostgresConnection, notificationID: UUID? = nil) throws -> Int {
        let repository = NotificationRepository(connection: connection)
        while try repository.route(settings: settings) > 0 {}
        var attempts = 0
        while !shouldStop {
            let due = try repository.claimDue(workerID: workerID, leaseSeconds: Self.leaseSeconds, notificationID: notificationID,
                                              skipping: heldChannels(longerThan: Self.slackSpacing))
            if due.isEmpty { break }
            for delivery in due {
                if try attempt(delivery, repository: repository) { attempts += 1 }
            }
        }
        return attempts
    }

    /// One attempt; false when the channel is held back for a while (the claim is given back untried).
    private func attempt(_ delivery: ClaimedDelivery, repository: NotificationRepository) throws -> Bool {
        guard let channel = channels[delivery.plan.channel] else {
            try repository.abandon(delivery, reason: "\(delivery.plan.channel.rawValue) is no longer configured")
            return false
        }
        if let hold = state.withLock({ holdUntil[delivery.plan.channel] }), hold > .now {
            guard ContinuousClock.now.duration(to: hold) <= Self.slackSpacing else {
                try repository.release(delivery)
                return false
            }
            let pause = ContinuousClock.now.duration(to: hold).components
            Thread.sleep(forTimeInterval: Double(pause.seconds) + Double(pause.attoseconds) / 1e18)
        }
        let start = ContinuousClock.now
        let outcome = channel.deliver(delivery.event, plan: delivery.plan)
        let elapsed = start.duration(to: .now)
        hold(delivery.plan.channel, after: outcome)
        let next = DeliverySchedule.next(after: outcome, attempt: delivery.attempts + 1, maxAttempts: delivery.maxAttempts, jitter: jitter())
        try repository.record(delivery, outcome: outcome, next: next,
                              durationMs: Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000),
                              workerID: workerID)
        log(delivery, outcome: outcome, next: next)
        return true
    }

    /// Spaces Slack posts about a second apart, and holds a channel back for as long as a 429 asked.
    private func hold(_ channel: NotificationChannelKind, after outcome: DeliveryOutcome) {
        var wait: Duration = channel == .slack ? Self.slackSpacing : .zero
        if outcome.httpStatus == 429, case .retry(let after) = outcome.verdict { wait = max(wait, after ?? .seconds(1)) }
        guard wait > .zero else { return }
        state.withLock { holdUntil[channel] = .now + wait }
    }

    private func heldChannels(longerThan limit: Duration) -> Set<NotificationChannelKind> {
        let now = ContinuousClock.now
        return state.withLock { Set(holdUntil.filter { now.duration(to: $0.value) > limit }.keys) }
    }

    private func log(_ delivery: ClaimedDelivery, outcome: DeliveryOutcome, next: DeliverySchedule.Next) {
        var metadata: Logger.Metadata = ["channel": "\(delivery.plan.channel.rawValue)", "kind": "\(delivery.event.kind.rawValue)",
                                         "delivery": "\(delivery.id)", "attempt": "\(delivery.attempts + 1)",
                                         "detail": "\(outcome.detail)"]
        if let status = outcome.httpStatus { metadata["http_status"] = "\(status)" }
        switch next {
        case .sent: logger.info("notification delivered", metadata: metadata)
        case .retry(let after):
            metadata["retry_in"] = "\(after)"
            logger.warning("notification not delivered; will retry", metadata: metadata)
        case .failed: logger.error("notification failed for good", metadata: metadata)
        }
    }
}
