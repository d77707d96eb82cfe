import OpsBrainCore
import OpsBrainPostgres

/// Gauges read from the database at scrape time: executions by status and SOP, budget left.
enum MetricsSnapshot {
    static func record(from connection: PostgresConnection, into metrics: MetricsRegistry) throws {
        for row in try connection.query("""
            SELECT e.status, coalesce(s.sop_name, 'unknown') AS sop, count(*) AS n
            FROM self_healing_executions e LEFT JOIN self_healing_sops s ON s.id = e.sop_id
            WHERE NOT e.dry_run GROUP BY 1, 2
            """).rows {
            metrics.set("opsbrain_executions", labels: ["status": row.string("status") ?? "", "sop": row.string("sop") ?? ""],
                        to: row.double("n") ?? 0, help: "Executions by status and SOP.")
        }
        for row in try connection.query("""
            SELECT coalesce(s.sop_name, 'unknown') AS sop, e.approved_by IS NOT NULL AS approved, count(*) AS n
            FROM self_healing_executions e LEFT JOIN self_healing_sops s ON s.id = e.sop_id
            WHERE NOT e.dry_run AND e.status = 'success' GROUP BY 1, 2
            """).rows {
            metrics.set("opsbrain_fixes", labels: ["sop": row.string("sop") ?? "", "by": row.bool("approved") == true ? "approval" : "engine"],
                        to: row.double("n") ?? 0, help: "Successful fixes by SOP: by=\"engine\" auto-fixed, by=\"approval\" fixed with a person's approval.")
        }
        let used = try connection.query("""
            SELECT count(*) AS n FROM self_healing_executions WHERE fix_started_at > now() - interval '1 hour' AND NOT dry_run
              AND (decision LIKE 'auto_fix%' OR decision = 'safe_fix_then_escalate')
            """).first?.double("n") ?? 0
        metrics.set("opsbrain_auto_fixes_last_hour", to: used, help: "Unattended fixes started in the last hour (against the hourly budget).")
        metrics.set("opsbrain_preflight_problems", to: Double(try PreflightRepository(connection: connection).count()),
                    help: "Diagnosis steps the last preflight found cannot work on this deployment (opsbrain sop check lists them).")
    }
}
