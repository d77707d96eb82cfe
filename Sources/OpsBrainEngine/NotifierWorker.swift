import Foundation
import Logging
import OpsBrainCore
import OpsBrainPlatform
import OpsBrainPostgres
import Synchronization

/// The outbox worker: routes new notification events to channels and delivers what is due, in its
/// own loop and connection, so a slow or failing service never holds up the pipeline.
///
/// Several engines may run one each: events and deliveries are claimed with SKIP LOCKED and a
/// lease. Every attempt is recorded; failures are logged and listed by `opsbrain report notifications`.
public final class NotifierWorker: Sendable {
    public let workerID: String
    private let conninfo: String
    private let settings: NotificationSettings
    private let channels: [NotificationChannelKind: any NotificationChannel]
    private let jitter: @Sendable () -> Double
    private let logger = Logger(label: "opsbrain.notifier")
    /// Per channel, the earliest time the next request may go (Slack: about one a second, longer after a 429).
    private let holdUntil = Mutex<[NotificationChannelKind: ContinuousClock.Instant]>([:])
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

    /// True when some channel is configured, so the worker has something to deliver to.
    public var hasChannels: Bool { !channels.isEmpty }

    /// The delivery loop, until `stop` is set: woken by NOTIFY, or every few seconds.
    public func run(until stop: StopSignal) {
        var connection: PostgresConnection?
        while !stop.isSet {
            do {
                if connection == nil {
                    connection = try PostgresConnection(conninfo: conninfo, applicationName: "opsbrain-notifier")
                    try connection?.listen("opsbrain_events")
                }
                if let connection, try drain(connection, until: stop) == 0 {
                    _ = try connection.waitForNotifications(timeout: Self.idleWait)
                }
            } catch {
                logger.error("notifier pass failed", metadata: ["error": "\(error)"])
                connection?.close()
                connection = nil
                stop.wait(.seconds(2))
            }
        }
        connection?.close()
    }

    /// Routes new events and makes one attempt at every due delivery (only `notificationID`'s when
    /// given); returns how many attempts it made.
    @discardableResult
    public func drain(_ connection: PostgresConnection, notificationID: UUID? = nil, until stop: StopSignal = StopSignal()) throws -> Int {
        let repository = NotificationRepository(connection: connection)
        while try repository.route(settings: settings) > 0 {}
        var attempts = 0
        while !stop.isSet {
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
        if let hold = holdUntil.withLock({ $0[delivery.plan.channel] }), hold > .now {
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
        holdUntil.withLock { $0[channel] = .now + wait }
    }

    private func heldChannels(longerThan limit: Duration) -> Set<NotificationChannelKind> {
        let now = ContinuousClock.now
        return holdUntil.withLock { held in Set(held.filter { now.duration(to: $0.value) > limit }.keys) }
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
