import Foundation
import OpsBrainCore

/// Reads the facts a report needs and stores the reports, once per day.
public struct ReportRepository {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Everything a report over `[start, end)` is built from (the LLM line is added by the caller).
    public func facts(from start: Date, to end: Date, sampleLookback: TimeInterval = 7 * 86_400) throws -> ReportFacts {
        let alerts = try connection.query("""
            SELECT count(*) AS n FROM intelligence_alerts WHERE created_at >= $1 AND created_at < $2 AND status <> 'rejected'
            """, [start, end]).first?.int("n") ?? 0
        let executions = try executionFacts(where: """
            ((e.started_at >= $1 AND e.started_at < $2) OR (e.completed_at >= $1 AND e.completed_at < $2))
            AND e.status <> 'awaiting_approval'
            """, [start, end])
        let awaiting = try executionFacts(where: "e.status = 'awaiting_approval' AND e.started_at < $1", [end])
        return ReportFacts(windowStart: start, windowEnd: end, alertsDetected: alerts, executions: executions, awaitingApproval: awaiting,
                           samples: try samples(from: end.addingTimeInterval(-sampleLookback), to: end),
                           failedNotifications: try NotificationRepository(connection: connection).failedCount(from: start, to: end))
    }

    /// Finished executions whose fix was judged (worked or not) in `[start, end)`, for the learning analysis.
    public func judgedExecutions(from start: Date, to end: Date) throws -> [ExecutionFact] {
        try executionFacts(where: "e.was_effective_fix IS NOT NULL AND e.completed_at >= $1 AND e.completed_at < $2", [start, end])
    }

    /// Probe samples in `[start, end]`: per probe, the last sample of each hour (trends need no more).
    public func samples(from start: Date, to end: Date) throws -> [ProbeSample] {
        try connection.query("""
            SELECT probe, max(at) AS at, (array_agg(value ORDER BY at DESC))[1] AS value, bool_and(ok) AS ok,
                   (array_agg(labels ORDER BY at DESC))[1]::text AS labels_text
            FROM opsbrain_probe_samples WHERE at >= $1 AND at <= $2
            GROUP BY probe, date_trunc('hour', at) ORDER BY probe, 2
            """, [start, end]).rows.compactMap { row in
            guard let probe = row.string("probe"), let at = row.date("at"), let value = row.double("value") else { return nil }
            let labels = row.json("labels_text")?.objectValue?.compactMapValues { $0.stringValue ?? $0.jsonText } ?? [:]
            return ProbeSample(probe: probe, at: at, value: value, ok: row.bool("ok") ?? true, labels: labels)
        }
    }

    /// Stores a sample (intake writes them; tests and tools use this too).
    public func insertSample(_ sample: ProbeSample) throws {
        try connection.query("INSERT INTO opsbrain_probe_samples (probe, at, value, ok, labels) VALUES ($1, $2, $3, $4, $5::jsonb)",
                             [sample.probe, sample.at, sample.value, sample.ok,
                              JSONValue.object(sample.labels.mapValues(JSONValue.string))])
    }

    // MARK: Executions as facts

    private static let columns = """
        e.id, e.status, s.sop_name, e.sop_version, coalesce(a.title, '(no alert)') AS title, a.severity, e.started_at,
        e.completed_at, e.total_resolution_time_ms, e.attempts, e.was_effective_fix, e.approved_by, e.escalation_reason,
        e.diagnosis_results::text AS diagnosis_text,
        (SELECT (extract(epoch FROM ap.decided_at - ap.requested_at) * 1000)::int FROM self_healing_approvals ap
           WHERE ap.execution_id = e.id AND ap.decision = 'approved') AS approval_wait_ms,
        (SELECT json_agg(json_build_object('step', st.step_id, 'status', st.status, 'summary', st.result->>'summary',
                                           'action', st.result->'details'->>'action') ORDER BY st.id)
           FROM self_healing_execution_steps st WHERE st.execution_id = e.id AND st.phase = 'fix')::text AS fix_steps,
        \(sopActionColumn)
        """

    /// The SOP's action for the human: its escalate operation's `action`, when that operation applied
    /// (`e` an execution, `s` its SOP).
    static let sopActionColumn = """
        (SELECT op->>'action' FROM jsonb_array_elements(CASE WHEN jsonb_typeof(s.fix_operations) = 'array'
                                                             THEN s.fix_operations ELSE '[]'::jsonb END) op
           WHERE op->>'operation' = 'escalate' AND op->>'action' IS NOT NULL AND e.applicable_fixes ? (op->>'id') LIMIT 1) AS sop_action
        """

    private func executionFacts(where condition: String, _ parameters: [(any PostgresEncodable)?]) throws -> [ExecutionFact] {
        try connection.query("""
            SELECT \(Self.columns)
            FROM self_healing_executions e LEFT JOIN self_healing_sops s ON s.id = e.sop_id
            LEFT JOIN intelligence_alerts a ON a.id = e.alert_id
            WHERE NOT e.dry_run AND \(condition) ORDER BY e.started_at, e.id
            """, parameters).rows.compactMap(Self.fact)
    }

    private static func fact(_ row: Row) -> ExecutionFact? {
        guard let id = row.uuid("id"), let status = row.string("status").flatMap(ExecutionStatus.init(rawValue:)),
              let started = row.date("started_at") else { return nil }
        let steps = row.json("fix_steps")?.arrayValue ?? []
        var failed: [String: String] = [:]
        for step in steps where step["status"]?.stringValue == "failed" {
            failed[step["step"]?.stringValue ?? "?"] = step["summary"]?.stringValue ?? "failed"
        }
        let ranAction = steps.last { $0["action"]?.stringValue != nil }?["action"]?.stringValue
        return ExecutionFact(
            id: id, status: status, sopName: row.string("sop_name"), sopVersion: row.int("sop_version"),
            title: row.string("title") ?? "(no alert)", severity: row.string("severity").flatMap(Severity.normalized) ?? .medium,
            startedAt: started, completedAt: row.date("completed_at"), resolutionMs: row.int("total_resolution_time_ms"),
            approvalWaitMs: row.int("approval_wait_ms"), attempts: row.int("attempts") ?? 0, wasEffective: row.bool("was_effective_fix"), approvedBy: row.string("approved_by"),
            escalationReason: row.string("escalation_reason"), escalationAction: ranAction ?? row.string("sop_action"),
            fixSummaries: orderedUnique(steps.filter { $0["status"]?.stringValue == "succeeded" && $0["action"]?.stringValue == nil }
                .compactMap { $0["summary"]?.stringValue }),
            failedFixSteps: failed, diagnosisSignals: signals(row.json("diagnosis_text")))
    }

    /// `step=verdict` for each diagnosis step, then the findings.
    static func signals(_ diagnosis: JSONValue?) -> [String] {
        let verdicts = (diagnosis?["steps"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
            .compactMap { id, step in step["verdict"]?.stringValue.map { "\(id)=\($0)" } }
        return verdicts + (diagnosis?["findings"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }

    private static func orderedUnique(_ items: [String]) -> [String] {
        var seen: Set<String> = []
        return items.filter { seen.insert($0).inserted }
    }
}
