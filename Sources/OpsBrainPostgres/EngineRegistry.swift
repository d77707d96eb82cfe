import Foundation
import OpsBrainCore

/// An engine as seen in `opsbrain_engines`.
public struct EngineInfo: Sendable {
    public var engineID: String
    public var hostname: String
    public var pid: Int
    public var mode: String
    public var isLeader: Bool
    public var heartbeatAt: Date
    public var alive: Bool
}

/// Engine announcements, heartbeats and leadership (a session advisory lock).
public struct EngineRegistry {
    /// The leader lock: held by one engine's session; released when that session ends, also on a crash.
    public static let leaderLockKey: Int64 = 0x0b5_b4a1_0003
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    public func register(engineID: String, hostname: String, pid: Int32, version: String, mode: EngineMode) throws {
        try connection.query("""
            INSERT INTO opsbrain_engines (engine_id, hostname, pid, version, mode) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (engine_id) DO UPDATE SET heartbeat_at = now(), stopped_at = NULL
            """, [engineID, hostname, pid, version, mode.rawValue])
    }

    /// Renews an engine's liveness; the leader's beat also clears the flag any other row still
    /// carries (an engine that died while leading).
    public func heartbeat(engineID: String, isLeader: Bool) throws {
        try connection.query("""
            UPDATE opsbrain_engines SET heartbeat_at = CASE WHEN engine_id = $1 THEN now() ELSE heartbeat_at END,
                   is_leader = (engine_id = $1 AND $2)
            WHERE engine_id = $1 OR ($2 AND is_leader)
            """, [engineID, isLeader])
    }

    /// Marks an engine stopped so its claims are taken over at once.
    public func markStopped(engineID: String) throws {
        try connection.query("UPDATE opsbrain_engines SET stopped_at = now(), is_leader = false WHERE engine_id = $1", [engineID])
    }

    /// Tries to become (or stay) the leader on this connection's session.
    public func tryLeadership() throws -> Bool {
        try connection.query("SELECT pg_try_advisory_lock($1) AS held", [Self.leaderLockKey]).first?.bool("held") ?? false
    }

    /// Engines seen in the last day, newest heartbeat first.
    public func engines() throws -> [EngineInfo] {
        try connection.query("""
            SELECT engine_id, hostname, pid, mode, heartbeat_at,
                   (is_leader AND stopped_at IS NULL AND heartbeat_at > now() - interval '\(ExecutionRepository.deadAfter)') AS is_leader,
                   (stopped_at IS NULL AND heartbeat_at > now() - interval '\(ExecutionRepository.deadAfter)') AS alive
            FROM opsbrain_engines WHERE heartbeat_at > now() - interval '1 day' ORDER BY heartbeat_at DESC
            """).rows.map {
            EngineInfo(engineID: $0.string("engine_id") ?? "", hostname: $0.string("hostname") ?? "", pid: $0.int("pid") ?? 0,
                       mode: $0.string("mode") ?? "", isLeader: $0.bool("is_leader") ?? false,
                       heartbeatAt: $0.date("heartbeat_at") ?? Date(), alive: $0.bool("alive") ?? false)
        }
    }
}

extension EngineRegistry {
    /// Engines registered from `hostname` that have not said they stopped.
    public func runningEngines(on hostname: String) throws -> [(engineID: String, pid: Int)] {
        try connection.query("SELECT engine_id, pid FROM opsbrain_engines WHERE hostname = $1 AND stopped_at IS NULL", [hostname])
            .rows.compactMap { row in row.string("engine_id").map { ($0, row.int("pid") ?? 0) } }
    }

    /// Gives up every claim an engine holds, so others take its work at once.
    public func releaseClaims(engineID: String, keeping working: Set<UUID> = []) throws {
        try connection.query("""
            UPDATE self_healing_executions SET claimed_by = NULL, lease_until = NULL
            WHERE claimed_by = $1 AND NOT (id = ANY($2::uuid[]))
            """, [engineID, PostgresArray(working.map(\.uuidString))])
        try connection.query("UPDATE intelligence_alerts SET claimed_by = NULL, lease_until = NULL WHERE claimed_by = $1", [engineID])
    }
}
