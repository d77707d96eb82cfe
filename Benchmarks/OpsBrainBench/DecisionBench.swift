import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainDocuments
import OpsBrainEngine
import OpsBrainPlatform
import OpsBrainPostgres
import OpsBrainTestSupport

/// Committed alert → committed decision with a running engine, against single-row insert commits.
enum DecisionBench {
    static let alerts = 300

    static func run(report: BenchReport) throws {
        let (connection, url) = try TestPostgres.migratedConnection(applicationName: "opsbrain-bench")
        defer { connection.close() }
        let config = try deploy([("bench-decision", "(?i)bench alert", quickDiagnosis)], connection: connection, url: url)
        try connection.query("CREATE TABLE bench_baseline (id serial PRIMARY KEY, v text)")
        let stop = StopSignal()
        startEngine(config: config, url: url, mode: .approval, until: stop)
        defer { stop.set() }
        Thread.sleep(forTimeInterval: 1.0)

        let baseline = try insertLatencies(connection)
        let cpuBefore = Measure.cpuMilliseconds()
        for index in 0..<alerts {
            // A distinct type per alert: one type repeated would be a storm, correlated into one execution.
            try connection.query("INSERT INTO intelligence_alerts (source, alert_type, title, severity) VALUES ('bench', $1, $2, 'high')",
                                 ["bench_\(index)", "Bench alert \(index)"])
            Thread.sleep(forTimeInterval: 0.02)
        }
        try waitForDecisions(connection)
        let cpu = Measure.cpuMilliseconds() - cpuBefore
        let latencies = try decisionLatencies(connection)
        report.add("Alert to decision", note: """
            \(alerts) alerts (distinct types, matched by title) inserted one by one (20 ms apart) while an engine runs in approval mode; latency is the \
            decision's audit time minus the alert's commit time, less the diagnosis steps' own durations. Baseline: a \
            single-row INSERT committed by the same client (what pgbench's simple insert does), measured in the same run. \
            CPU is the whole bench process (engine and inserting client) divided by executions.
            """, [
            BenchFigure(name: "decision latency p50", value: "\(Measure.format(Measure.percentile(latencies, 50))) ms",
                        baseline: "\(Measure.format(Measure.percentile(baseline, 50), 2)) ms insert commit",
                        ratio: Measure.format(Measure.percentile(latencies, 50) / Measure.percentile(baseline, 50)),
                        target: "≤ 20 ms", met: Measure.percentile(latencies, 50) <= 20),
            BenchFigure(name: "decision latency p99", value: "\(Measure.format(Measure.percentile(latencies, 99))) ms",
                        baseline: "\(Measure.format(Measure.percentile(baseline, 99), 2)) ms insert commit",
                        ratio: Measure.format(Measure.percentile(latencies, 99) / Measure.percentile(baseline, 99)),
                        target: "≤ 100 ms", met: Measure.percentile(latencies, 99) <= 100),
            BenchFigure(name: "CPU per execution", value: "\(Measure.format(cpu / Double(alerts), 2)) ms",
                        baseline: "\(Measure.format(Measure.percentile(baseline, 50), 2)) ms insert commit (wall)",
                        ratio: Measure.format(cpu / Double(alerts) / Measure.percentile(baseline, 50)),
                        target: "≤ 2 ms", met: cpu / Double(alerts) <= 2),
        ])
    }

    /// Writes and syncs `sops` (name, title pattern, diagnosis) with the bench's targets (the
    /// database, a cache nobody reaches, and `endpoint` as `slow` when given).
    static func deploy(_ sops: [(String, String, String)], connection: PostgresConnection, url: String,
                       endpoint: Int? = nil) throws -> OpsBrainConfig {
        let folder = try TemporaryDirectory.make(prefix: "ob-bench") + "/SOPs/data"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, pattern, diagnosis) in sops {
            try sopText(name: name, titlePattern: pattern, diagnosis: diagnosis)
                .write(toFile: folder + "/\(name).md", atomically: true, encoding: .utf8)
        }
        let slow = endpoint.map { "\n  slow: {type: http, url: \"http://127.0.0.1:\($0)\"}" } ?? ""
        let config = try ConfigParser.parse("""
            targets:
              app_db: {type: postgres, url: "\(url)"}
              cache: {type: redis, url: "redis://127.0.0.1:1/0"}\(slow)
            """, path: "bench.yaml")
        let outcome = try SOPSync.run(folder: (folder as NSString).deletingLastPathComponent, config: config,
                                      connection: connection, actor: "bench")
        guard outcome.skipped == 0 else { throw StepFailure(outcome.issues.map(\.description).joined(separator: "\n")) }
        return config
    }

    /// An engine in this process, with its heartbeat, in `mode` with `concurrency` workers.
    static func startEngine(config: OpsBrainConfig, url: String, mode: EngineMode,
                            concurrency: Int = EngineConfig().concurrency, until stop: StopSignal) {
        var settings = EngineAssembly.settings(config: config, mode: mode)
        settings.concurrency = concurrency
        let engine = HealingEngine(conninfo: url, settings: settings, registry: EngineAssembly.registry(conninfo: url))
        Thread { try? engine.run(until: stop) }.start()
        Thread { engine.heartbeat(until: stop) }.start()
    }

    private static func insertLatencies(_ connection: PostgresConnection) throws -> [Double] {
        try (0..<alerts).map { index in
            Measure.nanoseconds { _ = try? connection.query("INSERT INTO bench_baseline (v) VALUES ($1)", ["row \(index)"]) } / 1e6
        }
    }

    private static func waitForDecisions(_ connection: PostgresConnection) throws {
        for _ in 0..<600 {
            let decided = try connection.query("SELECT count(*) AS n FROM self_healing_executions WHERE decision IS NOT NULL").first?.int("n") ?? 0
            if decided >= alerts { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw StepFailure("the engine did not decide every alert within a minute")
    }

    /// Each decision's latency in ms (its audit time minus the alert's commit, less the diagnosis
    /// steps' durations), for alerts whose title is LIKE `titles`.
    static func decisionLatencies(_ connection: PostgresConnection, titles: String = "%") throws -> [Double] {
        try connection.query("""
            SELECT extract(epoch FROM (d.at - a.created_at)) * 1000
                   - coalesce((SELECT sum(extract(epoch FROM (s.finished_at - s.started_at)) * 1000)
                               FROM self_healing_execution_steps s WHERE s.execution_id = e.id AND s.phase = 'diagnosis'), 0) AS ms
            FROM self_healing_executions e
            JOIN intelligence_alerts a ON a.id = e.alert_id
            JOIN self_healing_audit_log d ON d.execution_id = e.id AND d.kind = 'decision'
            WHERE a.title LIKE $1
            """, [titles]).rows.compactMap { $0.double("ms") }
    }

    /// A diagnosis of one quick query that always finds the problem.
    static let quickDiagnosis = """
          - id: probe
            type: sql
            target: app_db
            query: "SELECT 1 AS one"
            expect: {one: 2}
        """

    /// A runbook for alerts whose title matches `titlePattern`, with `diagnosis` (steps named `probe`).
    static func sopText(name: String, titlePattern: String, diagnosis: String) -> String {
        """
        ---
        name: \(name)
        category: data
        agent: data
        description: A bench runbook, to time the engine itself.
        severity: high
        risk: low
        auto_fix: true
        requires_approval: false
        trigger:
          title_patterns: ["\(titlePattern)"]
        diagnosis:
        \(diagnosis)
        fix:
          - id: flag
            operation: feature_flag
            when: "probe.failed"
            target: cache
            key: bench
            value: "on"
        verification:
          steps: []
        escalate_if:
          - when: "attempts >= 3"
            reason: too many attempts
        ---
        # \(name)

        ## Trigger
        Bench alert.

        ## Severity
        HIGH

        ## Auto-Fix Allowed
        YES

        ## Diagnosis Steps
        1. One query.

        ## Fix Steps
        1. Set a flag (never run: the bench engine is in approval mode).

        ## Verification
        - None.

        ## Escalate If
        - Three attempts.

        ## Notification
        Slack: #ops-alerts
        """
    }
}
