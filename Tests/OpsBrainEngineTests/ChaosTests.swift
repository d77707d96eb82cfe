import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainDocuments
import OpsBrainPlatform
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// Three real engine processes on one database of their own, 300 alerts with storms, slow fixes and
/// instance targets; one engine is killed with -9 in the middle of a fix, and PostgreSQL restarts
/// once (`pg_ctl restart -m fast`). Nothing may be lost or done twice, and every run must end.
final class ChaosTests: XCTestCase {
    private static let instances = (0..<20).map { "node-\($0)" }
    private static let unknownTypes = 150
    private static let stormAlerts = 150

    func testThreeEnginesAKillAndADatabaseRestartLoseNothingAndRepeatNothing() throws {
        let binary = try XCTUnwrap(OpsBrainBinary.path(), "build the opsbrain executable first")
        let folder = try TemporaryDirectory.make(prefix: "ob-chaos")
        let cluster = try TestPostgres.makeCluster(root: folder + "/pg")
        try cluster.start()
        defer { try? cluster.stop() }
        let url = cluster.connectionURL
        let connection = try PostgresConnection(conninfo: url, applicationName: "chaos-test")
        defer { connection.close() }
        try Migrator().migrate(connection)
        let configPath = try writeDeployment(in: folder, databaseURL: url)
        let config = try ConfigParser.parse(String(contentsOfFile: configPath, encoding: .utf8), path: configPath)
        let synced = try SOPSync.run(folder: folder + "/SOPs", config: config, connection: connection, actor: "test")
        guard synced.skipped == 0 else { throw StepFailure("the chaos SOP does not load: \(synced.issues)") }

        var engines = try (0..<3).map { try EngineChild(binary: binary, config: configPath, databaseURL: url, log: folder + "/engine-\($0).log") }
        defer { engines.forEach { $0.terminate() } }
        try DatabasePolling.waitUntil("three live engines", timeout: 30) { try self.count(connection, "SELECT count(*) AS n FROM opsbrain_engines WHERE stopped_at IS NULL") >= 3 }

        let source = ResolvingSource(url: url)
        defer { source.stop() }
        let repository = ExecutionRepository(connection: connection)
        var fired = 0
        for index in 0..<(Self.unknownTypes + Self.stormAlerts) {
            if index < Self.unknownTypes {
                try repository.insertAlert(source: "test", alertType: "chaos_unknown_\(index)", title: "unknown \(index)", severity: "high",
                                           labels: [:], evidence: .object([:]), fingerprint: "chaos-unknown-\(index)")
            } else {
                let node = Self.instances[index % Self.instances.count]
                try repository.insertAlert(source: "test", alertType: "chaos_fix", title: "\(node) needs a fix", severity: "high",
                                           labels: ["instance": node], evidence: .object([:]), fingerprint: "chaos-\(index)")
            }
            fired += 1
            if index % 50 == 49 { Thread.sleep(forTimeInterval: 0.3) }
        }
        XCTAssertEqual(fired, 300)

        // Kill -9 an engine whose fix step is running right now.
        var victim: String?
        var interrupted: UUID?
        try DatabasePolling.waitUntil("an engine in the middle of a fix", timeout: 60) {
            let row = try connection.query("""
                SELECT e.claimed_by, e.id FROM self_healing_execution_steps s JOIN self_healing_executions e ON e.id = s.execution_id
                WHERE s.phase = 'fix' AND s.status = 'started' AND e.claimed_by IS NOT NULL LIMIT 1
                """).first
            (victim, interrupted) = (row?.string("claimed_by"), row?.uuid("id"))
            return victim != nil
        }
        let victimPID = try XCTUnwrap(connection.query("SELECT pid FROM opsbrain_engines WHERE engine_id = $1", [victim]).first?.int("pid"))
        let killed = try XCTUnwrap(engines.first { $0.pid == Int32(victimPID) }, "the engine \(victim ?? "?") is one of ours")
        killed.kill9()
        engines.removeAll { $0.pid == killed.pid }

        // Then the database restarts under the two survivors.
        Thread.sleep(forTimeInterval: 1)
        try cluster.restart()

        try DatabasePolling.waitUntil("every alert processed and every run final", timeout: 180) {
            let unprocessed = try self.count(connection, "SELECT count(*) AS n FROM intelligence_alerts WHERE processed_at IS NULL AND status = 'firing'")
            let open = try self.count(connection, "SELECT count(*) AS n FROM self_healing_executions WHERE completed_at IS NULL")
            return unprocessed == 0 && open == 0
        }
        // The run killed mid-fix was taken over by a survivor: its fix is not run again, it is verified.
        let takenOver = try XCTUnwrap(repository.detail(XCTUnwrap(interrupted)))
        XCTAssertTrue(takenOver.audit.contains { $0.message.contains("engine stopped during fix") }, "\(takenOver.audit.map(\.message))")
        XCTAssertEqual(takenOver.steps.filter { $0.phase == .fix }.count, 1)
        try assertNothingLost(connection)
        try assertNothingDoneTwice(connection, fixLog: folder + "/fixes.log")
        XCTAssertGreaterThan(try count(connection, "SELECT count(*) AS n FROM self_healing_executions WHERE status = 'success'"), 0,
                             "the storm's fixes succeeded")
    }

    /// Every alert belongs to exactly one execution: it opened one, or it joined one.
    private func assertNothingLost(_ connection: PostgresConnection) throws {
        let orphans = try connection.query("""
            SELECT a.alert_type,
                   (SELECT count(*) FROM self_healing_executions e WHERE e.alert_id = a.id)
                   + (CASE WHEN a.correlated_execution_id IS NULL THEN 0 ELSE 1 END) AS homes
            FROM intelligence_alerts a
            """).rows.filter { $0.int("homes") != 1 }
        XCTAssertEqual(orphans.count, 0, "alerts lost or counted twice: \(orphans.prefix(5).map { "\($0.string("alert_type") ?? "?") in \($0.int("homes") ?? -1)" })")
        XCTAssertEqual(try count(connection, "SELECT count(*) AS n FROM intelligence_alerts"), 300)
        // Unknown alerts are each their own kind: one execution each.
        XCTAssertEqual(try count(connection, """
            SELECT count(*) AS n FROM self_healing_executions e JOIN intelligence_alerts a ON a.id = e.alert_id
            WHERE a.alert_type LIKE 'chaos_unknown_%'
            """), Self.unknownTypes)
        // A storm's group has one execution at a time: the runs of one instance never overlap.
        let overlapping = try count(connection, """
            SELECT count(*) AS n FROM self_healing_executions x JOIN self_healing_executions y
              ON x.instance_key = y.instance_key AND x.id < y.id AND x.sop_id = y.sop_id
            WHERE x.started_at < y.completed_at AND y.started_at < x.completed_at
            """)
        XCTAssertEqual(overlapping, 0, "two executions of one (SOP, instance) group were open at once")
    }

    /// No fix step is recorded twice, and no fix ran more often than its steps say.
    private func assertNothingDoneTwice(_ connection: PostgresConnection, fixLog: String) throws {
        XCTAssertEqual(try count(connection, """
            SELECT count(*) AS n FROM (SELECT execution_id, step_id, attempt FROM self_healing_execution_steps WHERE phase = 'fix'
                                       GROUP BY 1, 2, 3 HAVING count(*) > 1) twice
            """), 0)
        let ran = (try? String(contentsOfFile: fixLog, encoding: .utf8))?.split(separator: "\n") ?? []
        let recorded = try connection.query("""
            SELECT e.instance_key, count(*) AS n FROM self_healing_execution_steps s JOIN self_healing_executions e ON e.id = s.execution_id
            WHERE s.phase = 'fix' GROUP BY 1
            """).rows.reduce(into: [String: Int]()) { $0[$1.string("instance_key") ?? "?"] = $1.int("n") ?? 0 }
        for node in Self.instances {
            let times = ran.filter { $0 == node }.count
            XCTAssertLessThanOrEqual(times, recorded[node] ?? 0, "\(node)'s fix ran \(times) times for \(recorded[node] ?? 0) recorded fix steps")
        }
        XCTAssertGreaterThan(ran.count, 0, "fixes ran")
    }

    private func count(_ connection: PostgresConnection, _ sql: String) throws -> Int {
        try connection.query(sql).first?.int("n") ?? -1
    }

    /// The SOPs and config of the chaos deployment; returns the config's path.
    private func writeDeployment(in folder: String, databaseURL: String) throws -> String {
        let markers = folder + "/markers"
        try FileManager.default.createDirectory(atPath: markers, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: markers + "/broken", contents: Data("x".utf8))
        let check = """
              - id: broken
                type: file_stat
                target: markers
                pattern: broken
                expect: {file_count: 1}
            """
        let sop = EnginePipelineTests.sop(name: "chaos-fix", type: "chaos_fix", diagnosis: "diagnosis:\n" + check
            .replacingOccurrences(of: "file_count: 1", with: "file_count: 0"), fix: """
            fix:
              - id: slow_fix
                operation: job_restart
                when: "broken.failed"
                target: slow_fix
                timeout: 30s
            """, verification: "  steps:\n" + check.replacingOccurrences(of: "- id: broken", with: "- id: still_there"))
            .replacingOccurrences(of: "cooldown_minutes: 30", with: "cooldown_minutes: 0\nmax_executions_per_hour: 100")
        let sopFile = folder + "/SOPs/data/chaos-fix.md"
        try FileManager.default.createDirectory(atPath: folder + "/SOPs/data", withIntermediateDirectories: true)
        try sop.write(toFile: sopFile, atomically: true, encoding: .utf8)
        let nodes = Self.instances.map {
            "      \($0): {argv: [sh, -c, \"sleep 1.5; echo \($0) >> \(folder)/fixes.log\"]}"
        }.joined(separator: "\n")
        let config = """
            engine:
              mode: auto
              sops_dir: \(folder)/SOPs
              auto_fix_budget_per_hour: 10000
              repeat_limit: {fixes: 0}
              resolve_wait: 60s
              concurrency: 4
            targets:
              markers: {type: path, path: "\(markers)"}
              slow_fix:
                type: command
                select_by: instance
                max_executions: 100
                instances:
            \(nodes)
            """
        let path = folder + "/opsbrain.yaml"
        try config.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

