import Foundation
import OpsBrainCore

/// A delivery claimed for one attempt.
public struct ClaimedDelivery: Sendable {
    public var id: Int
    public var notificationID: UUID
    public var plan: PlannedDelivery
    /// Attempts made before this one.
    public var attempts: Int
    public var maxAttempts: Int
    public var event: NotificationEvent
}

extension NotificationRepository {
    /// Claims up to `limit` due deliveries (SKIP LOCKED with a lease, so a crashed worker's claim expires),
    /// only those of one event when `notificationID` is given, none on the channels in `skipping`.
    public func claimDue(workerID: String, leaseSeconds: Int, limit: Int = 10, notificationID: UUID? = nil,
                         skipping: Set<NotificationChannelKind> = []) throws -> [ClaimedDelivery] {
        try connection.query("""
            UPDATE opsbrain_notification_deliveries d SET claimed_by = $1, lease_until = now() + make_interval(secs => $2)
            FROM opsbrain_notifications n
            WHERE n.id = d.notification_id AND d.id IN (
                SELECT id FROM opsbrain_notification_deliveries
                WHERE status = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
                  AND ($4::uuid IS NULL OR notification_id = $4::uuid) AND NOT (channel = ANY($5::text[]))
                ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
            RETURNING d.id, d.notification_id, d.channel, d.action, d.destination, d.priority, d.attempts, d.max_attempts,
                      n.event::text AS event_text
            """, [workerID, leaseSeconds, limit, notificationID, PostgresArray(skipping.map(\.rawValue))]).rows.compactMap(Self.claimed)
    }

    private static func claimed(_ row: Row) -> ClaimedDelivery? {
        guard let id = row.int("id"), let notification = row.uuid("notification_id"),
              let channel = row.string("channel").flatMap(NotificationChannelKind.init(rawValue:)),
              let action = row.string("action").flatMap(DeliveryAction.init(rawValue:)),
              let event = row.string("event_text").flatMap({ try? NotificationEvent.decode($0) }) else { return nil }
        return ClaimedDelivery(id: id, notificationID: notification,
                               plan: PlannedDelivery(channel: channel, action: action, destination: row.string("destination"),
                                                     priority: row.int("priority")),
                               attempts: row.int("attempts") ?? 0, maxAttempts: row.int("max_attempts") ?? 8, event: event)
    }

    /// Records one attempt and its consequence (sent, retry at a time, or failed for good) in one transaction.
    public func record(_ delivery: ClaimedDelivery, outcome: DeliveryOutcome, next: DeliverySchedule.Next, durationMs: Int,
                       workerID: String) throws {
        let attempt = delivery.attempts + 1
        let (status, word, retryAt, error): (String, String, Date?, String?) = {
            switch next {
            case .sent: return ("sent", "sent", nil, nil)
            case .retry(let after):
                return ("pending", "retry", Date().addingTimeInterval(Double(after.components.seconds)
                    + Double(after.components.attoseconds) / 1e18), outcome.detail)
            case .failed(let reason): return ("failed", "failed", nil, reason)
            }
        }()
        try connection.transaction { tx in
            try tx.query("""
                INSERT INTO opsbrain_notification_attempts (delivery_id, attempt, channel, outcome, http_status, error, duration_ms,
                    next_retry_at, engine_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                """, [delivery.id, attempt, delivery.plan.channel.rawValue, word, outcome.httpStatus,
                      word == "sent" ? nil : outcome.detail, durationMs, retryAt, workerID])
            try tx.query("""
                UPDATE opsbrain_notification_deliveries SET status = $2, attempts = $3, next_attempt_at = coalesce($4, next_attempt_at),
                    last_http_status = $5, last_error = $6, claimed_by = NULL, lease_until = NULL,
                    finished_at = CASE WHEN $2 = 'pending' THEN NULL ELSE now() END
                WHERE id = $1
                """, [delivery.id, status, attempt, retryAt, outcome.httpStatus, error])
        }
    }

    /// Gives a claim back untried (its channel asked us to wait), so it is due again at once.
    public func release(_ delivery: ClaimedDelivery) throws {
        try connection.query("UPDATE opsbrain_notification_deliveries SET claimed_by = NULL, lease_until = NULL WHERE id = $1", [delivery.id])
    }

    /// Marks a claimed delivery failed without an attempt (no channel of its kind is configured any more).
    public func abandon(_ delivery: ClaimedDelivery, reason: String) throws {
        try connection.query("""
            UPDATE opsbrain_notification_deliveries SET status = 'failed', last_error = $2, claimed_by = NULL, lease_until = NULL,
                finished_at = now() WHERE id = $1
            """, [delivery.id, reason])
    }
}
