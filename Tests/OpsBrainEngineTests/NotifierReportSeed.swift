import Foundation
import OpsBrainCore
import OpsBrainPostgres

/// Rows for the report tests, written as the engine and intake would write them.
struct NotifierReportSeed {
    let connection: PostgresConnection
    /// The end of the report window.
    let end: Date

    private func at(_ hoursBefore: Double) -> Date { end.addingTimeInterval(-hoursBefore * 3600) }

    func sop(_ name: String, fix: String = "[]") throws -> UUID {
        let row = try connection.query("""
            INSERT INTO self_healing_sops (sop_name, category, agent, description, severity, content_hash, source_path, source_text,
                trigger_conditions, diagnosis_steps, fix_operations, verification_steps, risk_level)
            VALUES ($1, 'infrastructure', 'infra', 'd', 'high', 'h', $3, 'x', '{}', '[]', $2::jsonb, '{}', 'low') RETURNING id
            """, [name, fix, "SOPs/\(name).md"]).first
        return row!.uuid("id")!
    }

    func alert(_ title: String, severity: String, hoursBefore: Double) throws -> UUID {
        try connection.query("""
            INSERT INTO intelligence_alerts (alert_type, title, severity, created_at) VALUES ('t', $1, $2, $3) RETURNING id
            """, [title, severity, at(hoursBefore)]).first!.uuid("id")!
    }

    @discardableResult
    func execution(sop: UUID, alert: UUID, status: String, startedHoursBefore: Double, minutes: Double, effective: Bool?,
                   reason: String? = nil, applicable: [String] = [], version: Int = 1) throws -> UUID {
        let started = at(startedHoursBefore)
        let done = status == "awaiting_approval" ? nil : started.addingTimeInterval(minutes * 60)
        return try connection.query("""
            INSERT INTO self_healing_executions (sop_id, sop_version, alert_id, status, started_at, completed_at, total_resolution_time_ms,
                attempts, was_effective_fix, escalation_reason, applicable_fixes)
            VALUES ($1::uuid, $2, $3::uuid, $4, $5, $6, $7, 1, $8, $9, $10::jsonb) RETURNING id
            """, [sop, version, alert, status, started, done, done == nil ? nil : Int(minutes * 60_000), effective, reason,
                  JSONValue.array(applicable.map(JSONValue.string))]).first!.uuid("id")!
    }

    func step(_ execution: UUID, _ stepID: String, status: String, summary: String) throws {
        try connection.query("""
            INSERT INTO self_healing_execution_steps (execution_id, phase, step_id, attempt, idempotency_key, status, result)
            VALUES ($1::uuid, 'fix', $2, 1, $3, $4, $5::jsonb)
            """, [execution, stepID, UUID().uuidString, status, JSONValue.object(["summary": .string(summary)])])
    }

    /// A night: one fix, one escalation with its SOP action, one fix waiting for approval, a TLS and a cost sample.
    func seedNight() throws {
        let pool = try sop("database-connection-dropped")
        let billing = try sop("twilio-balance-low", fix: #"[{"id": "tell", "operation": "escalate", "reason": "billing", "action": "Top up the Twilio balance"}]"#)
        let fixed = try execution(sop: pool, alert: try alert("Database connection dropped", severity: "high", hoursBefore: 4.5),
                                  status: "success", startedHoursBefore: 4.5, minutes: 2, effective: true)
        try step(fixed, "reset", status: "succeeded", summary: "Reconnected the pool")
        try execution(sop: billing, alert: try alert("Twilio balance < $50", severity: "medium", hoursBefore: 1.7),
                      status: "escalated", startedHoursBefore: 1.7, minutes: 0, effective: nil, reason: "Can't auto-fix billing",
                      applicable: ["tell"])
        try execution(sop: pool, alert: try alert("Disk 91% full", severity: "high", hoursBefore: 0.5), status: "awaiting_approval",
                      startedHoursBefore: 0.5, minutes: 0, effective: nil)
        let reports = ReportRepository(connection: connection)
        try reports.insertSample(ProbeSample(probe: "tls_app", at: at(1), value: 9.2, labels: ["kind": "tls_expiry", "name": "app.example.com"]))
        try reports.insertSample(ProbeSample(probe: "openai_cost", at: at(1), value: 12.34, labels: ["kind": "cost", "service": "OpenAI"]))
    }

    /// Four runs of one SOP in the week before: the same step fails twice, for the same reason.
    func seedFailures() throws {
        let sop = try sop("pool-reset")
        for (index, effective) in [false, false, true, true].enumerated() {
            let run = try execution(sop: sop, alert: try alert("Pool exhausted \(index)", severity: "high", hoursBefore: Double(30 + index * 24)),
                                    status: effective ? "success" : "escalated", startedHoursBefore: Double(30 + index * 24), minutes: 3,
                                    effective: effective, reason: effective ? nil : "fix step failed: reset_pool: timed out after \(20 + index)s")
            try step(run, "reset_pool", status: effective ? "succeeded" : "failed", summary: effective ? "reset" : "timed out")
        }
    }
}
