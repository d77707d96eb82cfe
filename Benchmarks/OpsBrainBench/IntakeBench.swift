import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainPlatform
import OpsBrainPostgres
import OpsBrainRunners
import OpsBrainTestSupport

/// Webhook intake to committed rows, against pgbench doing the same single-row inserts.
enum IntakeBench {
    static let concurrency = 4
    static let seconds = 5.0

    static func run(report: BenchReport) throws {
        let (connection, url) = try TestPostgres.migratedConnection(applicationName: "opsbrain-bench")
        defer { connection.close() }
        let baseline = try pgbenchRate(url: url)
        guard let server = try IntakeAssembly.start(listen: "127.0.0.1:0", config: OpsBrainConfig(), conninfo: url,
                                                    metrics: MetricsRegistry(), isLeader: { true }, environment: [:]) else { return }
        defer { server.stop() }
        let endpoint = "http://127.0.0.1:\(server.port)/api/v1/alerts"
        let full = load(endpoint: endpoint, ratePerClient: nil)
        let stored = try connection.query("SELECT count(*) AS n FROM intelligence_alerts").first?.int("n") ?? 0
        let half = load(endpoint: endpoint, ratePerClient: baseline / 2 / Double(concurrency))
        let p99 = Measure.percentile(half.latencies, 99)
        report.add("Intake", note: """
            \(concurrency) clients POST generic alerts (unique fingerprints) for \(Int(seconds)) s; every 200 is a committed row \
            (\(stored) rows stored in the full-speed run, \(full.errors) errors). Baseline: pgbench -c \(concurrency) -j \(concurrency) \
            running the equivalent single-row INSERT into intelligence_alerts on the same server, in the same run. Latency is \
            measured at half the baseline rate.
            """, [
            BenchFigure(name: "sustained intake", value: "\(Measure.format(full.rate)) alerts/s", baseline: "\(Measure.format(baseline)) inserts/s pgbench",
                        ratio: Measure.format(full.rate / baseline, 2), target: "≥ 0.8×", met: full.rate / baseline >= 0.8),
            BenchFigure(name: "p99 request latency at half rate", value: "\(Measure.format(p99, 2)) ms",
                        baseline: "\(Measure.format(Measure.percentile(half.latencies, 50), 2)) ms p50",
                        ratio: Measure.format(p99 / max(0.001, Measure.percentile(half.latencies, 50)), 2),
                        target: "≤ 50 ms", met: p99 <= 50),
        ])
    }

    /// pgbench's transactions per second for a one-row INSERT like intake's.
    static func pgbenchRate(url: String) throws -> Double {
        let script = try TemporaryDirectory.make(prefix: "ob-pgbench") + "/insert.sql"
        try """
            INSERT INTO intelligence_alerts (source, alert_type, title, severity, labels, evidence, fingerprint)
            VALUES ('pgbench', 'bench', 'pgbench alert', 'high', '{}', '{}', md5(random()::text));
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let output = try ProcessRunner.run(["pgbench", "-n", "-f", script, "-c", String(concurrency), "-j", String(concurrency),
                                            "-T", String(Int(seconds)), url], timeout: .seconds(60))
        guard let line = output.stdout.split(separator: "\n").first(where: { $0.hasPrefix("tps") }),
              let tps = line.split(separator: " ").dropFirst(2).first.flatMap({ Double($0) }) else {
            throw StepFailure("pgbench gave no tps: \(output.stderr)")
        }
        return tps
    }

    struct Load {
        var rate: Double
        var latencies: [Double]
        var errors: Int
    }

    /// Posts from `concurrency` threads for `seconds`, optionally paced to a rate per client.
    static func load(endpoint: String, ratePerClient: Double?) -> Load {
        let results = Results()
        let group = DispatchGroup()
        let start = Date()
        for client in 0..<concurrency {
            group.enter()
            Thread {
                let http = HTTPClient()
                var sent = 0
                while Date().timeIntervalSince(start) < seconds {
                    if let rate = ratePerClient {
                        let due = start.addingTimeInterval(Double(sent) / rate)
                        if due > Date() { Thread.sleep(until: due) }
                    }
                    let body = #"{"type": "bench_alert", "title": "bench \#(client)-\#(sent)", "fingerprint": "bench-\#(client)-\#(sent)-\#(UUID().uuidString)"}"#
                    var ok = false
                    let elapsed = Measure.nanoseconds {
                        ok = (try? http.send(HTTPRequest(method: "POST", url: endpoint, headers: ["Content-Type": "application/json"],
                                                         body: Array(body.utf8), timeout: .seconds(10))).status) == 200
                    }
                    results.record(ok ? elapsed / 1e6 : nil)
                    sent += 1
                }
                group.leave()
            }.start()
        }
        group.wait()
        let duration = Date().timeIntervalSince(start)
        return results.load(duration: duration)
    }

    /// Latencies collected from several threads.
    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var latencies: [Double] = []
        private var errors = 0

        func record(_ latency: Double?) {
            lock.withLock { if let latency { latencies.append(latency) } else { errors += 1 } }
        }

        func load(duration: TimeInterval) -> Load {
            lock.withLock { Load(rate: Double(latencies.count) / duration, latencies: latencies, errors: errors) }
        }
    }
}
