import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainDocuments
import OpsBrainEngine
import OpsBrainPlatform
import OpsBrainPostgres
import OpsBrainTestSupport

/// A queue of executions drained by engines on their worker pools, and the decision latency of
/// new alerts while other runs sit in slow diagnosis steps.
enum BacklogBench {
    /// Runs whose diagnosis waits 1 s on a local slow endpoint.
    static let slowRuns = 1_000
    /// Runs whose diagnosis is one quick query.
    static let cheapRuns = 10_000

    static func run(report: BenchReport) throws {
        let endpoint = try LocalHTTPServer()
        defer { endpoint.stop() }
        endpoint.respond(to: "/slow", with: .init(status: 503, body: "slow", delay: .seconds(1)))
        let workers = EngineConfig().concurrency
        let slowDiagnosis = """
              - id: probe
                type: http
                target: slow
                path: /slow
                timeout: 10s
                expect: {status: 200}
            """
        BenchReport.progress("backlog: \(slowRuns) slow runs, one engine")
        let one = try drain(runs: slowRuns, engines: 1, diagnosis: slowDiagnosis, endpoint: endpoint.port).seconds
        BenchReport.progress("backlog: \(slowRuns) slow runs, two engines")
        let two = try drain(runs: slowRuns, engines: 2, diagnosis: slowDiagnosis, endpoint: endpoint.port).seconds
        BenchReport.progress("backlog: \(cheapRuns) cheap runs, one engine")
        let cheap = try drain(runs: cheapRuns, engines: 1, diagnosis: DecisionBench.quickDiagnosis, endpoint: endpoint.port)
        let (firstRate, lastRate) = tenthRates(cheap.finished)
        let ideal = (one: Double(slowRuns) / Double(workers), two: Double(slowRuns) / Double(2 * workers))
        BenchReport.progress("backlog: decisions while 50 runs sit in slow steps")
        let loaded = try decisionsUnderLoad(busy: 50, quick: 200, workers: 64, endpoint: endpoint)
        let idleLatencies = try decisionsUnderLoad(busy: 0, quick: 200, workers: 64, endpoint: endpoint)
        report.add("Backlog drain", note: """
            \(slowRuns) alerts queued before the engines start, each a run whose diagnosis waits 1 s on a local slow endpoint \
            (diagnose_only, so each run ends at its decision); engines run in the bench process with the default \
            engine.concurrency (\(workers) workers each). Drain time is from the engines' start to the last run's end. Baseline: \
            the ideal, \(slowRuns) s ÷ all workers. Then \(cheapRuns) cheap runs (one query each) on one engine: the rate at which \
            the last tenth finished against the first tenth.
            """, [
            BenchFigure(name: "1 engine, \(slowRuns) slow runs", value: "\(Measure.format(one)) s", baseline: "\(Measure.format(ideal.one)) s ideal",
                        ratio: Measure.format(ideal.one / one, 2) + "× ideal", target: "≥ 0.8× ideal", met: ideal.one / one >= 0.8),
            BenchFigure(name: "2 engines, \(slowRuns) slow runs", value: "\(Measure.format(two)) s", baseline: "\(Measure.format(ideal.two)) s ideal",
                        ratio: Measure.format(ideal.two / two, 2) + "× ideal", target: "≥ 0.8× ideal", met: ideal.two / two >= 0.8),
            BenchFigure(name: "2 engines against 1", value: "\(Measure.format(one / two, 2))× faster", baseline: "\(Measure.format(one)) s with 1",
                        ratio: Measure.format(one / two, 2), target: "≥ 1.8×", met: one / two >= 1.8),
            BenchFigure(name: "\(cheapRuns) cheap runs: last tenth's rate", value: "\(Measure.format(lastRate)) runs/s",
                        baseline: "\(Measure.format(firstRate)) runs/s in the first tenth", ratio: Measure.format(lastRate / firstRate, 2),
                        target: "≥ 0.8", met: lastRate / firstRate >= 0.8),
        ])
        let (p99, idleP99) = (Measure.percentile(loaded, 99), Measure.percentile(idleLatencies, 99))
        report.add("Decision latency under load", note: """
            200 quick alerts (one query each), 20 ms apart, while 50 other runs sit in a 15 s diagnosis step, on one engine \
            with engine.concurrency: 64 (the default 8 would make the quick alerts queue behind the slow runs for a worker). \
            Latency as in "Alert to decision". Baseline: the same 200 alerts with no slow runs, in the same run.
            """, [
            BenchFigure(name: "decision latency p99, 50 runs busy", value: "\(Measure.format(p99)) ms",
                        baseline: "\(Measure.format(idleP99)) ms with none busy", ratio: Measure.format(p99 / max(0.001, idleP99)),
                        target: "≤ 100 ms", met: p99 <= 100),
        ])
    }

    /// Queues `runs` alerts, starts `engines` engines and waits for every run to end; returns the
    /// drain time and when each run ended (seconds after the start).
    static func drain(runs: Int, engines: Int, diagnosis: String, endpoint: Int,
                      concurrency: Int = EngineConfig().concurrency) throws -> (seconds: Double, finished: [Double]) {
        let (connection, url) = try TestPostgres.migratedConnection(applicationName: "opsbrain-bench")
        defer { connection.close() }
        let config = try DecisionBench.deploy([("bench-backlog", "(?i)backlog alert", diagnosis)], connection: connection, url: url,
                                              endpoint: endpoint)
        try connection.query("""
            INSERT INTO intelligence_alerts (source, alert_type, title, severity)
            SELECT 'bench', 'backlog_' || n, 'Backlog alert ' || n, 'high' FROM generate_series(1, $1) AS n
            """, [runs])
        let stop = StopSignal()
        defer { stop.set() }
        let started = Date()
        for _ in 0..<engines { DecisionBench.startEngine(config: config, url: url, mode: .diagnoseOnly, concurrency: concurrency, until: stop) }
        while try finished(connection) < runs {
            guard Date().timeIntervalSince(started) < 1_800 else { throw StepFailure("the backlog did not drain within 30 minutes") }
            Thread.sleep(forTimeInterval: 0.2)
        }
        let seconds = Date().timeIntervalSince(started)
        let ends = try connection.query("""
            SELECT extract(epoch FROM completed_at - $1::timestamptz) AS s FROM self_healing_executions ORDER BY completed_at
            """, [started]).rows.compactMap { $0.double("s") }
        return (seconds, ends)
    }

    /// Alert → decision for quick alerts while `busy` runs sit in a 15 s diagnosis step, on one
    /// engine with `workers` workers; returns the latencies in ms.
    static func decisionsUnderLoad(busy: Int, quick: Int, workers: Int, endpoint: LocalHTTPServer) throws -> [Double] {
        endpoint.respond(to: "/slower", with: .init(status: 503, body: "slow", delay: .seconds(15)))
        let (connection, url) = try TestPostgres.migratedConnection(applicationName: "opsbrain-bench")
        defer { connection.close() }
        let slowStep = """
              - id: probe
                type: http
                target: slow
                path: /slower
                timeout: 30s
                expect: {status: 200}
            """
        let config = try DecisionBench.deploy([("bench-busy", "(?i)busy alert", slowStep),
                                               ("bench-quick", "(?i)quick alert", DecisionBench.quickDiagnosis)],
                                              connection: connection, url: url, endpoint: endpoint.port)
        let stop = StopSignal()
        defer { stop.set() }
        DecisionBench.startEngine(config: config, url: url, mode: .diagnoseOnly, concurrency: workers, until: stop)
        try connection.query("""
            INSERT INTO intelligence_alerts (source, alert_type, title, severity)
            SELECT 'bench', 'busy_' || n, 'Busy alert ' || n, 'high' FROM generate_series(1, $1) AS n
            """, [busy])
        while try connection.query("SELECT count(*) AS n FROM self_healing_execution_steps WHERE status = 'started'").first?.int("n") ?? 0 < busy {
            Thread.sleep(forTimeInterval: 0.1)
        }
        for index in 0..<quick {
            try connection.query("INSERT INTO intelligence_alerts (source, alert_type, title, severity) VALUES ('bench', $1, $2, 'high')",
                                 ["quick_\(index)", "Quick alert \(index)"])
            Thread.sleep(forTimeInterval: 0.02)
        }
        while try connection.query("""
            SELECT count(*) AS n FROM self_healing_executions e JOIN intelligence_alerts a ON a.id = e.alert_id
            WHERE e.decision IS NOT NULL AND a.title LIKE 'Quick alert %'
            """).first?.int("n") ?? 0 < quick {
            Thread.sleep(forTimeInterval: 0.1)
        }
        return try DecisionBench.decisionLatencies(connection, titles: "Quick alert %")
    }

    private static func finished(_ connection: PostgresConnection) throws -> Int {
        try connection.query("SELECT count(*) AS n FROM self_healing_executions WHERE completed_at IS NOT NULL").first?.int("n") ?? 0
    }

    /// Runs per second in the first and the last tenth of the ends, in order.
    static func tenthRates(_ ends: [Double]) -> (first: Double, last: Double) {
        let tenth = max(1, ends.count / 10)
        guard ends.count >= 2 * tenth, let last = ends.last else { return (0, 0) }
        let firstSpan = max(0.001, ends[tenth - 1])
        let lastSpan = max(0.001, last - ends[ends.count - tenth - 1])
        return (Double(tenth) / firstSpan, Double(tenth) / lastSpan)
    }
}
