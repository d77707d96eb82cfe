import Foundation
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// Real `opsbrain engine` processes: two racing for one SOP's limits, and a `kill -9` mid-verification.
final class EngineProcessTests: XCTestCase {
    private var processes: [Process] = []
    private var folder = ""

    override func tearDown() {
        for process in processes where process.isRunning { process.terminate(); process.waitUntilExit() }
        processes = []
    }

    private func setUp(sops: [String: String]) throws -> (PostgresConnection, String, String) {
        let (connection, url) = try TestPostgres.migratedConnection()
        folder = try TemporaryDirectory.make(prefix: "ob-proc")
        for (path, text) in sops {
            let file = "\(folder)/SOPs/\(path).md"
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        }
        let config = "\(folder)/opsbrain.yaml"
        try (EnginePipelineTests.config(url) + "\nengine:\n  mode: auto\n  resolve_wait: 2s\n  sops_dir: \(folder)/SOPs\n")
            .write(toFile: config, atomically: true, encoding: .utf8)
        try connection.query("CREATE TABLE jobs (id serial PRIMARY KEY, status text NOT NULL)")
        return (connection, url, config)
    }

    private func startEngine(url: String, config: String) throws -> Process {
        let binary = try XCTUnwrap(OpsBrainBinary.path(), "build the opsbrain executable first")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["engine", "--database-url", url, "--config", config, "--listen", "off"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        processes.append(process)
        return process
    }

    private func waitFor(_ connection: PostgresConnection, timeout: TimeInterval = 40, _ sql: String, until: (Int) -> Bool) throws -> Int {
        let value = try DatabasePolling.count(connection, sql, timeout: timeout, until: until)
        XCTAssertTrue(until(value), "timed out waiting for \(sql) (last value \(value))")
        return value
    }

    private func jobsSOP(name: String, type: String, cooldown: Int, perHour: Int, waitBefore: String = "0s") -> String {
        EnginePipelineTests.sop(name: name, type: (0..<6).map { "\(type)_\($0)" }.joined(separator: ", "), diagnosis: """
            diagnosis:
              - id: failed_jobs
                type: sql
                target: app_db
                query: "SELECT count(*) + 1 AS failed FROM jobs WHERE status = 'failed'"
                expect: {failed: 0}
            """, fix: """
            fix:
              - id: retry
                operation: queue_retry
                when: "failed_jobs.failed > 0"
                statement: retry_jobs
            """, verification: """
              steps:
                - id: none_failed
                  type: sql
                  target: app_db
                  query: "SELECT count(*) AS failed FROM jobs WHERE status = 'failed'"
                  expect: {failed: 0}
            """).replacingOccurrences(of: "cooldown_minutes: 30", with: "cooldown_minutes: \(cooldown)\nmax_executions_per_hour: \(perHour)")
            .replacingOccurrences(of: "wait_before: 0s", with: "wait_before: \(waitBefore)")
    }

    func testTwoEnginesRacingRespectCooldownAndHourlyCap() throws {
        let (connection, url, config) = try setUp(sops: [
            "data/cooled": jobsSOP(name: "cooled", type: "cooled_alert", cooldown: 30, perHour: 10),
            "data/capped": jobsSOP(name: "capped", type: "capped_alert", cooldown: 0, perHour: 2),
        ])
        defer { connection.close() }
        _ = try startEngine(url: url, config: config)
        _ = try startEngine(url: url, config: config)
        _ = try waitFor(connection, "SELECT count(*) AS n FROM opsbrain_engines WHERE stopped_at IS NULL") { $0 == 2 }
        try connection.transaction { tx in
            for index in 0..<6 {
                // Distinct alert types of one SOP: not a storm of one kind, so each opens its own execution.
                try tx.query("INSERT INTO intelligence_alerts (alert_type, title, severity) VALUES ($1, $2, 'high')",
                             ["cooled_alert_\(index)", "cooled \(index)"])
                try tx.query("INSERT INTO intelligence_alerts (alert_type, title, severity) VALUES ($1, $2, 'high')",
                             ["capped_alert_\(index)", "capped \(index)"])
            }
        }
        _ = try waitFor(connection, "SELECT count(*) AS n FROM self_healing_executions WHERE status IN ('success', 'awaiting_approval', 'escalated')") { $0 == 12 }
        let fixes = try connection.query("""
            SELECT s.sop_name, count(e.fix_started_at) AS fixed, count(*) FILTER (WHERE e.status = 'awaiting_approval') AS waiting
            FROM self_healing_executions e JOIN self_healing_sops s ON s.id = e.sop_id GROUP BY s.sop_name ORDER BY s.sop_name
            """).rows.map { "\($0.string("sop_name")!): fixed \($0.int("fixed")!), waiting \($0.int("waiting")!)" }
        XCTAssertEqual(fixes, ["capped: fixed 2, waiting 4", "cooled: fixed 1, waiting 5"])
    }

    func testKillDashNineWhileVerifyingNeverFixesTwice() throws {
        let (connection, url, config) = try setUp(sops: ["data/slow-verify": jobsSOP(name: "slow-verify", type: "slow_alert",
                                                                                       cooldown: 0, perHour: 10, waitBefore: "4s")])
        defer { connection.close() }
        try connection.query("INSERT INTO jobs (status) VALUES ('failed'), ('failed')")
        let first = try startEngine(url: url, config: config)
        try connection.query("INSERT INTO intelligence_alerts (alert_type, title, severity) VALUES ('slow_alert_0', 'jobs failing', 'high')")
        _ = try waitFor(connection, "SELECT count(*) AS n FROM self_healing_executions WHERE status = 'verifying'") { $0 == 1 }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        try connection.query("UPDATE jobs SET status = 'failed'") // if the fix ran again, it would reset these
        _ = try startEngine(url: url, config: config)
        _ = try waitFor(connection, "SELECT count(*) AS n FROM self_healing_executions WHERE status IN ('success', 'escalated', 'failed')") { $0 == 1 }
        let fixSteps = try connection.query("SELECT count(*) AS n FROM self_healing_execution_steps WHERE phase = 'fix'").first?.int("n")
        XCTAssertEqual(fixSteps, 1, "the fix ran exactly once")
        let failed = try connection.query("SELECT count(*) AS n FROM jobs WHERE status = 'failed'").first?.int("n")
        XCTAssertEqual(failed, 2, "the restarted engine only verified; it did not retry the jobs again")
        let status = try connection.query("SELECT status FROM self_healing_executions").first?.string("status")
        XCTAssertEqual(status, "escalated", "verification fails (jobs failed again), so it ends escalated, a defined state")
    }
}
