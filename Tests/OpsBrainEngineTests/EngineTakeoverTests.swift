import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainDocuments
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// A run whose engine is killed in the middle of its diagnosis is taken over by another engine.
final class EngineTakeoverTests: XCTestCase {
    func testARunWhoseEngineDiedDuringDiagnosisIsTakenOver() throws {
        let binary = try XCTUnwrap(OpsBrainBinary.path(), "build the opsbrain executable first")
        let (connection, url) = try TestPostgres.migratedConnection()
        defer { connection.close() }
        let folder = try TemporaryDirectory.make(prefix: "ob-takeover")
        try FileManager.default.createDirectory(atPath: folder + "/SOPs/data", withIntermediateDirectories: true)
        let sop = EnginePipelineTests.sop(name: "slow-check", type: "slow_check", diagnosis: """
            diagnosis:
              - id: slow
                type: command
                argv: [sleep, "4"]
                timeout: 10s
                expect: {exit_code: 1}
            """, fix: "fix: []", verification: "  steps: []")
        try sop.write(toFile: folder + "/SOPs/data/slow-check.md", atomically: true, encoding: .utf8)
        let configPath = folder + "/opsbrain.yaml"
        try "engine:\n  mode: diagnose_only\n  sops_dir: \(folder)/SOPs\n".write(toFile: configPath, atomically: true, encoding: .utf8)
        let config = try ConfigParser.parse(String(contentsOfFile: configPath, encoding: .utf8), path: configPath)
        let synced = try SOPSync.run(folder: folder + "/SOPs", config: config, connection: connection, actor: "test")
        guard synced.skipped == 0 else { throw StepFailure("the SOP does not load: \(synced.issues)") }

        let first = try EngineChild(binary: binary, config: configPath, databaseURL: url, log: folder + "/first.log")
        let alert = try ExecutionRepository(connection: connection).insertAlert(
            source: "test", alertType: "slow_check", title: "slow check", severity: "high", labels: [:], evidence: .object([:]), fingerprint: nil)
        try DatabasePolling.waitUntil("the diagnosis step runs", timeout: 30) {
            try connection.query("SELECT count(*) AS n FROM self_healing_execution_steps WHERE step_id = 'slow' AND status = 'started'")
                .first?.int("n") == 1
        }
        first.kill9()
        let second = try EngineChild(binary: binary, config: configPath, databaseURL: url, log: folder + "/second.log")
        defer { second.terminate() }
        try DatabasePolling.waitUntil("the run is taken over and diagnosed", timeout: 60) {
            try connection.query("SELECT status FROM self_healing_executions WHERE alert_id = $1::uuid", [alert]).first?
                .string("status") == "diagnosed"
        }
        let runs = try connection.query("SELECT count(*) AS n FROM self_healing_execution_steps WHERE step_id = 'slow'").first?.int("n")
        XCTAssertEqual(runs, 2, "the read-only check ran again under the second engine")
    }
}
