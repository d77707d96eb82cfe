import Foundation
import OpsBrainPlatform
import OpsBrainPostgres
import OpsBrainTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Webhook intake as users run it: wrk (an external load generator) posting unique alerts to a
/// real `opsbrain engine` process, against pgbench doing the same single-row inserts.
enum IntakeBench {
    static let connectionCounts = [4, 16]
    static let seconds = 5
    static let rounds = 5

    /// One measured run of wrk or pgbench.
    struct Run {
        var rate: Double
        var failed = 0
        var p50 = 0.0
        var p99 = 0.0
    }

    /// One concurrency's rounds: the median wrk run, the median baseline, and each round's ratio.
    struct Rounds {
        var wrk: Run
        var pgbench: Double
        var ratios: [Double]
        /// The median of the rounds' ratios, each against the baseline run just before it.
        var ratio: Double { Measure.percentile(ratios, 50) }
    }

    static func run(report: BenchReport, binDirectory: String) throws {
        let script = try TemporaryDirectory.make(prefix: "ob-wrk") + "/alerts.lua"
        try luaScript.write(toFile: script, atomically: true, encoding: .utf8)
        var figures: [BenchFigure] = []
        var notes: [String] = []
        for engineOn in [true, false] {
            let (connection, url) = try TestPostgres.migratedConnection(applicationName: "opsbrain-bench")
            defer { connection.close() }
            let engine = try EngineUnderLoad(binary: binDirectory + "/opsbrain", url: url, intakeOnly: !engineOn)
            defer { engine.stop() }
            var rates: [Int: Rounds] = [:]
            for connections in connectionCounts {
                var loads: [Run] = []
                var baselines: [Double] = []
                for round in 0..<rounds {
                    baselines.append(try pgbench(url: url, connections: connections))
                    loads.append(try wrk(script: script, port: engine.port, connections: connections, pace: 0, tag: "\(engineOn)-\(connections)-\(round)"))
                }
                let median = loads.sorted { $0.rate < $1.rate }[rounds / 2]
                rates[connections] = Rounds(wrk: median, pgbench: Measure.percentile(baselines, 50),
                                            ratios: zip(loads, baselines).map { $0.rate / $1 })
            }
            let label = engineOn ? "engine on" : "intake only (engine off)"
            for connections in connectionCounts {
                guard let entry = rates[connections] else { continue }
                let ratio = entry.ratio
                let target = engineOn ? 0.5 : 0.9
                figures.append(BenchFigure(
                    name: "\(label), \(connections) connections", value: "\(Measure.format(entry.wrk.rate)) alerts/s",
                    baseline: "\(Measure.format(entry.pgbench)) inserts/s pgbench -c \(connections)", ratio: Measure.format(ratio, 2),
                    target: "≥ \(target)×", met: ratio >= target))
                notes.append("\(label) at \(connections): rounds \(entry.ratios.map { Measure.format($0, 2) }.joined(separator: ", ")), "
                             + "\(entry.wrk.failed) non-200 answers")
            }
            if engineOn, let four = rates[4], let sixteen = rates[16] {
                let growth = sixteen.wrk.rate / four.wrk.rate
                figures.append(BenchFigure(name: "engine on, 16 vs 4 connections", value: "\(Measure.format(sixteen.wrk.rate)) alerts/s",
                                           baseline: "\(Measure.format(four.wrk.rate)) alerts/s at 4", ratio: Measure.format(growth, 2),
                                           target: "≥ 1.5×", met: growth >= 1.5))
                let half = try wrk(script: script, port: engine.port, connections: 4,
                                   pace: 4 * 1000 / max(1, four.pgbench / 2), tag: "half")
                figures.append(BenchFigure(name: "engine on, p99 at half rate (4 connections)", value: "\(Measure.format(half.p99, 2)) ms",
                                           baseline: "\(Measure.format(half.p50, 2)) ms p50 at \(Measure.format(half.rate)) alerts/s",
                                           ratio: Measure.format(half.p99 / max(0.001, half.p50), 2), target: "≤ 20 ms", met: half.p99 <= 20))
            }
        }
        report.add("Intake", note: """
            wrk \(connectionCounts.map(String.init).joined(separator: " and ")) connections (2 threads, keep-alive) POST generic alerts, \
            each with a unique fingerprint (a Lua script), for \(seconds) s to a release `opsbrain engine` process on a fresh database: \
            with its engine on (each alert is claimed, matched and escalated in the same process while intake runs), and with \
            `--intake-only`. Every 200 is a committed row. Baseline: pgbench -c N -j N with the equivalent single-row INSERT into \
            intelligence_alerts as a prepared statement, on the same server, run just before each wrk round, \(rounds) rounds per figure: \
            the rates are medians, the ratio is the median of the rounds' ratios (commit latency on this disk varies from minute to \
            minute, and a round compares with the baseline next to it). \
            Half rate paces each wrk connection to half the 4-connection baseline. \(notes.joined(separator: "; ")).
            """, figures)
    }

    /// pgbench's transactions per second for a one-row INSERT like intake's.
    static func pgbench(url: String, connections: Int) throws -> Double {
        let script = try TemporaryDirectory.make(prefix: "ob-pgbench") + "/insert.sql"
        try """
            INSERT INTO intelligence_alerts (source, alert_type, title, severity, labels, evidence, fingerprint)
            VALUES ('pgbench', 'bench', 'pgbench alert', 'high', '{}', '{}', md5(random()::text));
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let output = try ProcessRunner.run(["pgbench", "-n", "-M", "prepared", "-f", script, "-c", String(connections), "-j", String(connections),
                                            "-T", String(seconds), url], timeout: .seconds(60))
        guard let line = output.stdout.split(separator: "\n").first(where: { $0.hasPrefix("tps") }),
              let tps = line.split(separator: " ").dropFirst(2).first.flatMap({ Double($0) }) else {
            throw BenchError("pgbench gave no tps: \(output.stderr)")
        }
        return tps
    }

    /// One wrk run; `pace` is the milliseconds each connection waits between requests (0: as fast as it can).
    static func wrk(script: String, port: Int, connections: Int, pace: Double, tag: String) throws -> Run {
        let output = try ProcessRunner.run(["wrk", "-t", "2", "-c", String(connections), "-d", "\(seconds)s", "--timeout", "5s", "-s", script,
                                            "http://127.0.0.1:\(port)/api/v1/alerts", "--", String(format: "%.3f", pace), tag],
                                           timeout: .seconds(60))
        guard let line = output.stdout.split(separator: "\n").first(where: { $0.hasPrefix("BENCH ") }) else {
            throw BenchError("wrk gave no result: \(output.stdout) \(output.stderr)")
        }
        var fields: [String: Double] = [:]
        for pair in line.split(separator: " ").dropFirst() {
            let parts = pair.split(separator: "=")
            if parts.count == 2 { fields[String(parts[0])] = Double(parts[1]) }
        }
        let ok = fields["ok", default: 0]
        return Run(rate: ok / Double(seconds), failed: Int(fields["failed", default: 0]), p50: fields["p50", default: 0],
                   p99: fields["p99", default: 0])
    }

    /// Unique alerts per request, per-connection pacing, and the counts and latencies on one line.
    static let luaScript = """
        local threads = {}
        function setup(thread)
          thread:set("id", #threads + 1)
          table.insert(threads, thread)
        end
        function init(args)
          pace = tonumber(args[1]) or 0
          tag = args[2] or "run"
          counter = 0
          ok = 0
          failed = 0
        end
        function request()
          counter = counter + 1
          local body = string.format('{"type": "bench_alert", "title": "bench %d-%d", "fingerprint": "wrk-%s-%d-%d"}',
                                     id, counter, tag, id, counter)
          return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
        end
        function delay()
          return pace
        end
        function response(status, headers, body)
          if status == 200 then ok = ok + 1 else failed = failed + 1 end
        end
        function done(summary, latency, requests)
          local good, bad = 0, 0
          for _, thread in ipairs(threads) do
            good = good + thread:get("ok")
            bad = bad + thread:get("failed")
          end
          io.write(string.format("BENCH ok=%d failed=%d p50=%.3f p99=%.3f\\n", good, bad,
                                 latency:percentile(50) / 1000, latency:percentile(99) / 1000))
        end
        """
}

/// A release `opsbrain engine` process with intake on a free port, stopped with SIGTERM.
final class EngineUnderLoad {
    let port: Int
    private let process: Process

    init(binary: String, url: String, intakeOnly: Bool) throws {
        port = try TestSockets.freePort()
        let folder = try TemporaryDirectory.make(prefix: "ob-intake-bench")
        let config = folder + "/opsbrain.yaml"
        try "engine:\n  mode: approval\n  listen: 127.0.0.1:\(port)\n  sops_dir: \(folder)/SOPs\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["engine", "--database-url", url, "--config", config, "--no-sync"] + (intakeOnly ? ["--intake-only"] : [])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        guard LocalHTTPServer.waitForPort(port, timeout: .seconds(20)) else {
            stop()
            throw BenchError("opsbrain engine did not listen on \(port)")
        }
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
    }
}
