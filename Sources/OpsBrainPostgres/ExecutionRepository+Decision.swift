import Foundation
import OpsBrainCore

extension ExecutionRepository {
    /// Serializes auto-fix budget checks across engines (transaction-scoped advisory lock).
    static let budgetLockKey: Int64 = 0x0b5_b4a1_0002

    /// Reads the limits for `sopID` with the SOP row locked, lets `decide` choose, and persists the
    /// resulting transition, all in one transaction: two engines cannot both pass a cap.
    ///
    /// The cooldown counts fixes of the same `instance` (nil: of the SOP's executions without one);
    /// the hourly cap, the circuit breaker and the global budget count the whole fleet; the repeat
    /// limit counts this SOP's fixes of this instance in its window. Ages are read off the clock
    /// (`clock_timestamp()`), not the transaction's start, so none is negative.
    public func decideLocked(executionID: UUID, sopID: UUID?, instance: String? = nil, budgetPerHour: Int, circuitBreakerThreshold: Int,
                             repeatLimit: RepeatLimit = RepeatLimit(),
                             decide: (LimitState) throws -> (from: ExecutionStatus, to: ExecutionState, patch: ExecutionPatch, audit: AuditEntry),
        extra: ((PostgresConnection, ExecutionState) throws -> Void)? = nil) throws -> ExecutionState {
        try connection.transaction { tx in
            try tx.query("SELECT pg_advisory_xact_lock($1)", [Self.budgetLockKey])
            var limits = LimitState(globalBudgetPerHour: budgetPerHour, circuitBreakerThreshold: circuitBreakerThreshold)
            if let sopID {
                let sop = try tx.query("""
                    SELECT consecutive_failures,
                        (SELECT extract(epoch FROM clock_timestamp() - max(fix_started_at)) / 60 FROM self_healing_executions
                          WHERE sop_id = $1::uuid AND fix_started_at IS NOT NULL AND NOT dry_run
                            AND instance_key IS NOT DISTINCT FROM $2::text) AS minutes_since,
                        (SELECT count(*) FROM self_healing_executions WHERE sop_id = $1::uuid AND NOT dry_run
                          AND fix_started_at > clock_timestamp() - interval '1 hour') AS this_hour
                    FROM self_healing_sops WHERE id = $1::uuid FOR UPDATE
                    """, [sopID, instance]).first
                limits.consecutiveFailures = sop?.int("consecutive_failures") ?? 0
                limits.minutesSinceLastFix = sop?.double("minutes_since")
                limits.fixesThisHour = sop?.int("this_hour") ?? 0
                limits.repeatLimit = repeatLimit
                limits.recentFixAges = try recentFixAges(sopID: sopID, instance: instance, excluding: executionID,
                                                         windowMinutes: repeatLimit.windowMinutes, in: tx)
            }
            limits.globalAutoFixesThisHour = try tx.query("""
                SELECT count(*) AS n FROM self_healing_executions
                WHERE fix_started_at > clock_timestamp() - interval '1 hour' AND NOT dry_run
                  AND (decision LIKE 'auto_fix%' OR decision = 'safe_fix_then_escalate')
                """).first?.int("n") ?? 0
            let (from, state, patch, audit) = try decide(limits)
            try transition(executionID, from: from, to: state, patch: patch, audit: audit, in: tx)
            try extra?(tx, state)
            return state
        }
    }

    /// Minutes since each fix of `sopID` on `instance` that started within the last `windowMinutes`,
    /// other than `executionID`'s own (dry runs never count).
    public func recentFixAges(sopID: UUID, instance: String?, excluding executionID: UUID, windowMinutes: Int,
                              in tx: PostgresConnection? = nil) throws -> [Double] {
        try (tx ?? connection).query("""
            SELECT extract(epoch FROM clock_timestamp() - fix_started_at) / 60 AS age FROM self_healing_executions
            WHERE sop_id = $1::uuid AND instance_key IS NOT DISTINCT FROM $2::text AND id <> $3::uuid AND NOT dry_run
              AND fix_started_at > clock_timestamp() - make_interval(mins => $4::int)
            ORDER BY fix_started_at DESC
            """, [sopID, instance, executionID, windowMinutes]).rows.compactMap { $0.double("age") }
    }

    /// Facts for the environment factor: the related alerts firing now and how this SOP's last run
    /// ended (for `instance`, its last run on that instance).
    ///
    /// An alert is related when the execution it opened or joined belongs to an SOP of the same
    /// category, or is on the same instance: unrelated incidents, however many, say nothing about
    /// the risk of this fix.
    public func environmentFacts(sopID: UUID?, instance: String? = nil, hourOfDay: Int) throws -> EnvironmentFacts {
        let firing = try connection.query("""
            SELECT count(*) AS n FROM intelligence_alerts a
            JOIN self_healing_executions e ON NOT e.dry_run AND (e.id = a.correlated_execution_id
                 OR (a.correlated_execution_id IS NULL AND e.alert_id = a.id))
            LEFT JOIN self_healing_sops s ON s.id = e.sop_id
            WHERE a.status = 'firing' AND a.resolved_at IS NULL
              AND (s.category = (SELECT category FROM self_healing_sops WHERE id = $1::uuid)
                   OR ($2::text IS NOT NULL AND e.instance_key = $2::text))
            """, [sopID, instance]).first?.int("n") ?? 1
        var last: Bool?
        if let sopID {
            last = try connection.query("""
                SELECT was_effective_fix FROM self_healing_executions
                WHERE sop_id = $1::uuid AND was_effective_fix IS NOT NULL AND instance_key IS NOT DISTINCT FROM $2::text
                ORDER BY completed_at DESC LIMIT 1
                """, [sopID, instance]).first?.bool("was_effective_fix")
        }
        return EnvironmentFacts(hourOfDay: hourOfDay, concurrentAlerts: firing, lastOutcomeSucceeded: last)
    }

    /// Updates the SOP's statistics with one outcome (same transaction as the final transition).
    public func recordOutcome(executionID: UUID, effective: Bool, failureReason: String?, in tx: PostgresConnection) throws {
        try tx.query("""
            WITH e AS (
                UPDATE self_healing_executions SET was_effective_fix = $2 WHERE id = $1::uuid
                RETURNING sop_id, (extract(epoch FROM clock_timestamp() - coalesce(fix_started_at, started_at)) * 1000)::int AS elapsed_ms)
            UPDATE self_healing_sops s SET
                times_executed = s.times_executed + 1,
                times_successful = s.times_successful + CASE WHEN $2 THEN 1 ELSE 0 END,
                avg_resolution_time_ms = CASE WHEN $2 THEN
                    ((coalesce(s.avg_resolution_time_ms, 0)::bigint * s.times_successful + e.elapsed_ms)
                      / (s.times_successful + 1))::int ELSE s.avg_resolution_time_ms END,
                last_executed_at = now(),
                last_failure_at = CASE WHEN $2 THEN s.last_failure_at ELSE now() END,
                last_failure_reason = CASE WHEN $2 THEN s.last_failure_reason ELSE $3 END,
                consecutive_failures = CASE WHEN $2 THEN 0 ELSE s.consecutive_failures + 1 END,
                updated_at = now()
            FROM e WHERE s.id = e.sop_id
            """, [executionID, effective, failureReason])
    }
}

extension ExecutionRepository {
    /// A person rolled a fix back as harmful: a run counted as a success becomes a failed fix (the
    /// success taken back, the SOP's last failure, one more in a row). A run already counted as a
    /// failure, or never counted, is left as it is.
    public func recordHarmful(executionID: UUID, reason: String, in tx: PostgresConnection) throws {
        try tx.query("""
            WITH before AS (
                SELECT sop_id, was_effective_fix AS counted FROM self_healing_executions WHERE id = $1::uuid FOR UPDATE),
            e AS (
                UPDATE self_healing_executions x SET was_effective_fix = false FROM before
                WHERE x.id = $1::uuid AND before.counted RETURNING before.sop_id)
            UPDATE self_healing_sops s SET
                times_successful = s.times_successful - 1,
                last_failure_at = now(), last_failure_reason = $2,
                consecutive_failures = s.consecutive_failures + 1, updated_at = now()
            FROM e WHERE s.id = e.sop_id
            """, [executionID, reason])
    }

    /// How often an SOP's fixes ran and succeeded, for the success-rate factor: its own statistics
    /// (every instance), or with `instance` only its finished runs on that instance.
    public func successRecord(_ sopID: UUID, instance: String? = nil) throws -> SuccessRecord {
        let row = try instance.map { key in
            try connection.query("""
                SELECT count(*) AS times_executed, count(*) FILTER (WHERE was_effective_fix) AS times_successful
                FROM self_healing_executions
                WHERE sop_id = $1::uuid AND instance_key = $2 AND was_effective_fix IS NOT NULL AND NOT dry_run
                """, [sopID, key]).first
        } ?? connection.query("SELECT times_executed, times_successful FROM self_healing_sops WHERE id = $1::uuid", [sopID]).first
        return SuccessRecord(executed: row?.int("times_executed") ?? 0, successful: row?.int("times_successful") ?? 0)
    }
}
