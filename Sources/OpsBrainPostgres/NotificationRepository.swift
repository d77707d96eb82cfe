import Foundation
import OpsBrainCore

/// The notification outbox: events are enqueued in the transaction of the change they announce,
/// routed to channels by the SOP's policy, then delivered by the outbox worker with each
/// service's retry rules. Nothing here talks to a service, so nothing here can block the pipeline.
public struct NotificationRepository {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Enqueues `event` inside the caller's transaction (with the transition it announces).
    /// Idempotent by `key` (default `event.dedupKey`): returns false when the same event was enqueued before.
    @discardableResult
    public static func enqueue(_ event: NotificationEvent, policy: NotificationPolicy, key: String? = nil,
                               in tx: PostgresConnection) throws -> Bool {
        try !tx.query("""
            INSERT INTO opsbrain_notifications (dedup_key, kind, execution_id, sop_name, severity, policy, event)
            VALUES ($1, $2, $3::uuid, $4, $5, $6::jsonb, $7::jsonb) ON CONFLICT (dedup_key) DO NOTHING RETURNING id
            """, [key ?? event.dedupKey, event.kind.rawValue, event.executionID, event.sopName, event.severity.rawValue, policy.json,
                  try event.encoded()]).rows.isEmpty
    }

    /// Enqueues `event` on its own.
    @discardableResult
    public func enqueue(_ event: NotificationEvent, policy: NotificationPolicy, key: String? = nil) throws -> Bool {
        try Self.enqueue(event, policy: policy, key: key, in: connection)
    }

    /// Plans the deliveries of up to `limit` new events (claimed with SKIP LOCKED, so engines
    /// share the work) and returns how many events it routed. An event no channel takes is
    /// marked routed with no deliveries.
    @discardableResult
    public func route(settings: NotificationSettings, limit: Int = 50) throws -> Int {
        try connection.transaction { tx in
            let rows = try tx.query("""
                SELECT id, execution_id, policy::text AS policy_text, event::text AS event_text FROM opsbrain_notifications
                WHERE routed_at IS NULL ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED
                """, [limit]).rows
            for row in rows {
                guard let id = row.uuid("id") else { continue }
                if let text = row.string("event_text"), let event = try? NotificationEvent.decode(text) {
                    let policy = NotificationPolicy(json: row.string("policy_text").flatMap { try? JSONValue(parsing: $0) })
                    let plans = NotificationRouting.plan(event, policy: policy, configured: settings.configuredChannels,
                                                         defaultSlackChannel: settings.slack?.channel,
                                                         incidentOpen: try incidentOpen(row.uuid("execution_id"), in: tx))
                    for plan in plans { try insert(plan, notification: id, maxAttempts: settings.maxAttempts, in: tx) }
                }
                try tx.query("UPDATE opsbrain_notifications SET routed_at = now() WHERE id = $1::uuid", [id])
            }
            return rows.count
        }
    }

    /// True when a PagerDuty trigger for this execution was planned and has not failed.
    private func incidentOpen(_ executionID: UUID?, in tx: PostgresConnection) throws -> Bool {
        guard let executionID else { return false }
        return try tx.query("""
            SELECT 1 FROM opsbrain_notification_deliveries d JOIN opsbrain_notifications n ON n.id = d.notification_id
            WHERE n.execution_id = $1::uuid AND d.channel = 'pagerduty' AND d.action = 'trigger' AND d.status <> 'failed' LIMIT 1
            """, [executionID]).first != nil
    }

    private func insert(_ plan: PlannedDelivery, notification: UUID, maxAttempts: Int, in tx: PostgresConnection) throws {
        try tx.query("""
            INSERT INTO opsbrain_notification_deliveries (notification_id, channel, action, destination, priority, max_attempts)
            VALUES ($1::uuid, $2, $3, $4, $5, $6) ON CONFLICT (notification_id, channel, action) DO NOTHING
            """, [notification, plan.channel.rawValue, plan.action.rawValue, plan.destination, plan.priority, maxAttempts])
    }
}
