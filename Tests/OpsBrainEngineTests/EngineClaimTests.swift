import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// Several engines on one database: an engine holds a run for as long as it works on it, and only
/// an engine whose heartbeat has expired loses its claims.
final class EngineClaimTests: XCTestCase {
    /// A marker file that only a slow fix removes: the diagnosis sees it, the fix sleeps, then deletes it.
    private func slowFixHarness(seconds: Int) throws -> (EngineHarness, marker: String) {
        let folder = try TemporaryDirectory.make(prefix: "ob-claim")
        let marker = folder + "/marker"
        FileManager.default.createFile(atPath: marker, contents: Data("x".utf8))
        let check = """
              - id: marker
                type: file_stat
                target: markers
                pattern: marker
                expect: {file_count: 0}
            """
        let sop = EnginePipelineTests.sop(name: "slow-fix", type: "slow_fix", diagnosis: "diagnosis:\n" + check, fix: """
            fix:
              - id: remove_marker
                operation: job_restart
                when: "marker.failed"
                target: slow_remover
                timeout: 30s
            """, verification: "  steps:\n" + check.replacingOccurrences(of: "- id: marker", with: "- id: marker_gone"))
            .replacingOccurrences(of: "wait_before: 0s", with: "wait_before: 1s")
        let harness = try EngineHarness(sops: ["data/slow-fix": sop], configYAML: { url in
            EnginePipelineTests.config(url, extra: """
                  markers: {type: path, path: "\(folder)"}
                  slow_remover: {type: command, argv: [sh, -c, "sleep \(seconds); rm -f \(marker)"]}
                """)
        })
        return (harness, marker)
    }

    /// A second live engine on the same database, passing every 100 ms until stopped.
    private func secondEngine(_ harness: EngineHarness) throws -> BackgroundLoop {
        var settings = EngineAssembly.settings(config: harness.config, mode: .auto, environment: ProcessInfo.processInfo.environment)
        settings.engineID = "second-engine-\(UUID().uuidString.prefix(4))"
        let engine = HealingEngine(conninfo: harness.url, settings: settings, registry: EngineAssembly.registry(conninfo: harness.url))
        let (config, url, engineID) = (harness.config, harness.url, settings.engineID)
        return BackgroundLoop { stop in
            guard let connection = try? PostgresConnection(conninfo: url, applicationName: "second-engine") else { return }
            defer { connection.close() }
            let registry = EngineRegistry(connection: connection)
            try? registry.register(engineID: engineID, hostname: "test", pid: 2, version: "test", mode: .auto)
            while !stop.isSet {
                try? registry.heartbeat(engineID: engineID, isLeader: false)
                if let catalog = try? SOPCatalog.load(connection, targets: config.targets, parameters: config.sopParameters) {
                    _ = try? engine.pass(connection, catalog: catalog, until: stop)
                }
                stop.wait(.milliseconds(100))
            }
        }
    }

    func testALiveEnginesRunIsNotTakenOverWhileItsFixRuns() throws {
        let (harness, marker) = try slowFixHarness(seconds: 4)
        let alert = try harness.fire(type: "slow_fix", title: "marker present")
        // The first engine diagnoses and decides; the second engine then passes alongside it.
        let second = try secondEngine(harness)
        defer { second.stop() }
        let done = try harness.runUntil(alert: alert, ["success", "escalated", "failed", "rolled_back"], timeout: 60)
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "the slow fix ran")
        XCTAssertEqual(done.summary.status, "success",
                       "seen: the other engine took the run over while the fix ran and verified too early: \(done.audit.map(\.message))")
        XCTAssertFalse(done.audit.contains { $0.message.contains("engine stopped during fix") }, "\(done.audit.map(\.message))")
        let fixEnd = try XCTUnwrap(done.steps.first { $0.phase == .fix }?.finishedAt)
        for step in done.steps where step.phase == .verification {
            XCTAssertGreaterThanOrEqual(step.startedAt, fixEnd, "verification never starts before the fix's steps have finished")
        }
        XCTAssertEqual(done.steps.filter { $0.phase == .fix }.count, 1, "no step runs twice")
    }
}
