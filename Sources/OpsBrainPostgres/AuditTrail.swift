import Foundation
import OpsBrainCore

/// Appends to the append-only audit log (the table rejects updates and deletes).
public enum AuditTrail {
    /// Writes one audit row inside the caller's transaction.
    public static func append(kind: String, actor: String, message: String, executionID: UUID? = nil,
                              alertID: UUID? = nil, sopName: String? = nil, details: JSONValue = .object([:]),
                              in connection: PostgresConnection) throws {
        try connection.query("""
            INSERT INTO self_healing_audit_log (actor, kind, execution_id, alert_id, sop_name, message, details)
            VALUES ($1, $2, $3::uuid, $4::uuid, $5, $6, $7::jsonb)
            """, [actor, kind, executionID, alertID, sopName, message, details])
    }
}
