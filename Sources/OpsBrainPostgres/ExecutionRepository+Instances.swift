import Foundation
import OpsBrainCore

/// What intake asks for an alert whose SOP's targets are sets of instances.
public struct InstanceRequest: Sendable, Equatable {
    /// The instance the alert's labels pick, or why none.
    public var choice: InstanceChoice
    /// The SOP's cap of open instance executions (`max_executions`).
    public var cap: Int

    public init(choice: InstanceChoice, cap: Int) {
        self.choice = choice
        self.cap = cap
    }
}

/// Where an execution stands among its SOP's instances: the `instance_scope` and `instance_key` columns.
public struct InstancePlacement: Sendable, Equatable {
    public var scope: InstanceScope
    /// The alert label's value (nil for a fleet-wide escalation and for an alert without the label).
    public var key: String?

    public init(scope: InstanceScope, key: String?) {
        self.scope = scope
        self.key = key
    }

    /// The placement of a choice below the cap: its own instance, or undeclared.
    public init(choice: InstanceChoice) {
        switch choice {
        case .declared(let key): self.init(scope: .instance, key: key)
        case .undeclared(let value, _): self.init(scope: .undeclared, key: value)
        }
    }

    /// The placement stored in a row's `instance_scope` and `instance_key`; nil when it has none.
    init?(row: Row) {
        guard let scope = row.string("instance_scope").flatMap(InstanceScope.init(rawValue:)) else { return nil }
        self.init(scope: scope, key: row.string("instance_key"))
    }

    /// How the audit trail names it: `instance 'web-1'`, `undeclared instance 'x'`, `the fleet-wide escalation`.
    public var phrase: String {
        switch scope {
        case .instance: return "instance '\(key ?? "?")'"
        case .undeclared: return key.map { "undeclared instance '\($0)'" } ?? "an alert without the instance label"
        case .fleet: return "the fleet-wide escalation"
        }
    }
}

extension ExecutionRepository {
    /// Executions in these states, opened within the correlation window, are a storm's group: work on
    /// them is still under way, so an alert joins rather than starting it again.
    static let openStatuses = "'pending', 'diagnosing', 'awaiting_approval', 'fixing', 'verifying', 'rolling_back'"
    /// The fleet-wide escalation is the one group an alert joins after it escalated: a person has the
    /// fleet already, and a run per instance past the cap is what it exists to prevent.
    static let fleetStatuses = openStatuses + ", 'escalated'"

    /// Where an alert goes, and the open execution it joins (nil: it opens one).
    ///
    /// Without instances, alerts of one kind and SOP share an execution. With them, the group is
    /// (SOP, instance); a declared instance with no open execution opens one unless the SOP already
    /// has `cap` open, and then joins (or opens) the SOP's one fleet-wide escalation. Every path holds
    /// a per-SOP lock (per alert type without an SOP) to commit, so two engines can neither open two
    /// executions for one group nor both pass the cap.
    func place(alertType: String, sopID: UUID?, instances: InstanceRequest?,
               in tx: PostgresConnection) throws -> (placement: InstancePlacement?, group: UUID?) {
        // One transaction at a time looks for (and opens) an SOP's group, across engines: the lock
        // is held to commit, and the next transaction's look sees the execution this one opened.
        try tx.query("SELECT pg_advisory_xact_lock(hashtextextended('opsbrain.group:' || coalesce($1::text, $2::text), 0))",
                     [sopID, alertType])
        guard let instances else { return (nil, try openGroup(alertType: alertType, sopID: sopID, placement: nil, in: tx)) }
        let own = InstancePlacement(choice: instances.choice)
        guard own.scope == .instance else { return (own, try openGroup(alertType: alertType, sopID: sopID, placement: own, in: tx)) }
        if let group = try openGroup(alertType: alertType, sopID: sopID, placement: own, in: tx) { return (own, group) }
        guard try openInstanceExecutions(sopID: sopID, in: tx) >= instances.cap else { return (own, nil) }
        let fleet = InstancePlacement(scope: .fleet, key: nil)
        return (fleet, try openGroup(alertType: alertType, sopID: sopID, placement: fleet, in: tx))
    }

    /// The open execution (see `openStatuses`, and `fleetStatuses` for the fleet) of the same SOP
    /// and placement; without a placement, also of the same alert type.
    private func openGroup(alertType: String, sopID: UUID?, placement: InstancePlacement?, in tx: PostgresConnection) throws -> UUID? {
        let statuses = placement?.scope == .fleet ? Self.fleetStatuses : Self.openStatuses
        return try latestInGroup(alertType: alertType, sopID: sopID, placement: placement, status: "IN (\(statuses))", in: tx)?.uuid("id")
    }

    /// The latest execution of the same group that already ended within the window (an alert after
    /// it opens a new one, and the audit trail says so), as its short id and status.
    func endedGroup(alertType: String, sopID: UUID?, placement: InstancePlacement?, in tx: PostgresConnection) throws -> String? {
        guard let row = try latestInGroup(alertType: alertType, sopID: sopID, placement: placement,
                                          status: "NOT IN (\(Self.openStatuses))", in: tx),
              let id = row.uuid("id"), let status = row.string("status") else { return nil }
        return "a new execution: the earlier one (\(id.uuidString.prefix(8).lowercased())) is \(status.replacingOccurrences(of: "_", with: " "))"
    }

    /// The newest execution of the same SOP and placement (without one, of the same alert type)
    /// started within the correlation window whose status matches `status` (a fixed SQL predicate).
    private func latestInGroup(alertType: String, sopID: UUID?, placement: InstancePlacement?, status: String,
                               in tx: PostgresConnection) throws -> Row? {
        try tx.query("""
            SELECT e.id, e.status FROM self_healing_executions e JOIN intelligence_alerts a ON a.id = e.alert_id
            WHERE e.sop_id IS NOT DISTINCT FROM $2::uuid AND NOT e.dry_run
              AND e.instance_scope IS NOT DISTINCT FROM $4::text AND e.instance_key IS NOT DISTINCT FROM $5::text
              AND ($4::text IS NOT NULL OR a.alert_type = $1)
              AND e.started_at > now() - make_interval(secs => $3)
              AND e.status \(status)
            ORDER BY e.started_at DESC LIMIT 1
            """, [alertType, sopID, Self.correlationWindowSeconds, placement?.scope.rawValue, placement?.key]).first
    }

    /// How many executions of the SOP for declared instances are open or escalated within the window:
    /// an escalated instance is still an incident a person has, so it counts toward the cap.
    private func openInstanceExecutions(sopID: UUID?, in tx: PostgresConnection) throws -> Int {
        try tx.query("""
            SELECT count(*) AS n FROM self_healing_executions
            WHERE sop_id = $1::uuid AND instance_scope = 'instance' AND NOT dry_run
              AND started_at > now() - make_interval(secs => $2) AND status IN (\(Self.fleetStatuses))
            """, [sopID, Self.correlationWindowSeconds]).first?.int("n") ?? 0
    }

    /// The values of `label` on the alerts a fleet-wide escalation stands for (its own and those
    /// that joined it), sorted.
    public func fleetInstances(_ executionID: UUID, label: String) throws -> [String] {
        try connection.query("""
            SELECT DISTINCT coalesce(a.labels->>$2, '(no label)') AS value FROM intelligence_alerts a
            WHERE a.correlated_execution_id = $1::uuid OR a.id = (SELECT alert_id FROM self_healing_executions WHERE id = $1::uuid)
            ORDER BY value
            """, [executionID, label]).rows.compactMap { $0.string("value") }
    }
}
