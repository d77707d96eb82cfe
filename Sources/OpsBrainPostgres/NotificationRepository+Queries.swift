import Foundation
import OpsBrainCore

/// One delivery as `opsbrain report notifications` and the console list it.
public struct DeliveryRecord: Sendable, Equatable {
    public var id: Int
    public var kind: String
    public var title: String
    public var channel: String
    public var action: String
    public var destination: String?
    public var status: String
    public var attempts: Int
    public var lastHTTPStatus: Int?
    public var lastError: String?
    public var nextAttemptAt: Date?
    public var createdAt: Date
    public var executionID: UUID?

    public init(id: Int, kind: String, title: String, channel: String, action: String, destination: String?, status: String,
                attempts: Int, lastHTTPStatus: Int? = nil, lastError: String? = nil, nextAttemptAt: Date? = nil, createdAt: Date,
                executionID: UUID?) {
        self.id = id
        self.kind = kind
        self.title = title
        self.channel = channel
        self.action = action
        self.destination = destination
        self.status = status
        self.attempts = attempts
        self.lastHTTPStatus = lastHTTPStatus
        self.lastError = lastError
        self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt
        self.executionID = executionID
    }
}

/// One recorded attempt.
public struct DeliveryAttemptRecord: Sendable {
    public var attempt: Int
    public var channel: String
    public var at: Date
    public var outcome: String
    public var httpStatus: Int?
    public var error: String?
    public var nextRetryAt: Date?
}

extension NotificationRepository {
    /// The event stored under `key`, if any.
    public func notificationID(key: String) throws -> UUID? {
        try connection.query("SELECT id FROM opsbrain_notifications WHERE dedup_key = $1", [key]).first?.uuid("id")
    }

    /// Deliveries newest first; only failed ones when `failedOnly`, only one event's when `notificationID`.
    public func deliveries(limit: Int = 50, failedOnly: Bool = false, executionID: UUID? = nil,
                           notificationID: UUID? = nil) throws -> [DeliveryRecord] {
        try connection.query("""
            SELECT d.id, n.kind, n.event->>'title' AS title, d.channel, d.action, d.destination, d.status, d.attempts,
                   d.last_http_status, d.last_error, d.next_attempt_at, d.created_at, n.execution_id
            FROM opsbrain_notification_deliveries d JOIN opsbrain_notifications n ON n.id = d.notification_id
            WHERE (NOT $2 OR d.status = 'failed') AND ($3::uuid IS NULL OR n.execution_id = $3::uuid)
              AND ($4::uuid IS NULL OR n.id = $4::uuid)
            ORDER BY d.created_at DESC, d.id DESC LIMIT $1
            """, [limit, failedOnly, executionID, notificationID]).rows.map { row in
            DeliveryRecord(id: row.int("id") ?? 0, kind: row.string("kind") ?? "", title: row.string("title") ?? "",
                           channel: row.string("channel") ?? "", action: row.string("action") ?? "",
                           destination: row.string("destination"), status: row.string("status") ?? "",
                           attempts: row.int("attempts") ?? 0, lastHTTPStatus: row.int("last_http_status"),
                           lastError: row.string("last_error"),
                           nextAttemptAt: row.string("status") == "pending" ? row.date("next_attempt_at") : nil,
                           createdAt: row.date("created_at") ?? Date(), executionID: row.uuid("execution_id"))
        }
    }

    /// Every attempt of one delivery, oldest first.
    public func attempts(deliveryID: Int) throws -> [DeliveryAttemptRecord] {
        try connection.query("""
            SELECT attempt, channel, at, outcome, http_status, error, next_retry_at FROM opsbrain_notification_attempts
            WHERE delivery_id = $1 ORDER BY id
            """, [deliveryID]).rows.map { row in
            DeliveryAttemptRecord(attempt: row.int("attempt") ?? 0, channel: row.string("channel") ?? "", at: row.date("at") ?? Date(),
                                  outcome: row.string("outcome") ?? "", httpStatus: row.int("http_status"), error: row.string("error"),
                                  nextRetryAt: row.date("next_retry_at"))
        }
    }

    /// Deliveries that failed for good between `start` and `end`.
    public func failedCount(from start: Date, to end: Date) throws -> Int {
        try connection.query("""
            SELECT count(*) AS n FROM opsbrain_notification_deliveries WHERE status = 'failed' AND finished_at >= $1 AND finished_at < $2
            """, [start, end]).first?.int("n") ?? 0
    }
}
