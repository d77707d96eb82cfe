import Foundation
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// A storm of one kind of alert opens one execution; the others join it while it is open.
final class StormCorrelationTests: XCTestCase {
    /// An SOP for `node_down` whose diagnosis always finds the node down and whose only step is a
    /// note: it escalates.
    static func nodesDownSOP(name: String = "storm", category: String = "data") -> String {
        EnginePipelineTests.sop(name: name, category: category, type: "node_down", autoFix: false, diagnosis: """
            diagnosis:
              - id: check
                type: sql
                target: app_db
                query: "SELECT 1 AS one"
                expect: {one: 2}
            """, fix: """
            fix:
              - id: note
                operation: notify
                message: nodes down
            """, verification: "  steps: []")
    }

    private func stormHarness() throws -> EngineHarness {
        try EngineHarness(sops: ["data/storm": Self.nodesDownSOP()], configYAML: { EnginePipelineTests.config($0) })
    }

    func testAStormOpensOneExecution() throws {
        let harness = try stormHarness()
        let first = try harness.fire(type: "node_down", title: "node-0 down", labels: ["node": "node-0"])
        for index in 1..<5 { try harness.fire(type: "node_down", title: "node-\(index) down", labels: ["node": "node-\(index)"]) }
        let detail = try harness.runUntil(alert: first, ["escalated", "awaiting_approval", "success"])
        XCTAssertEqual(try harness.connection.query("SELECT count(*) AS n FROM self_healing_executions").first?.int("n"), 1)
        let joined = try harness.connection.query(
            "SELECT count(*) AS n FROM intelligence_alerts WHERE correlated_execution_id = $1::uuid", [detail.summary.id]).first?.int("n")
        XCTAssertEqual(joined, 4)
        XCTAssertEqual(try harness.connection.query("SELECT count(*) AS n FROM intelligence_alerts WHERE processed_at IS NULL").first?.int("n"), 0)
    }

    func testAnAlertAfterAnEscalationOpensANewExecutionAndSaysSo() throws {
        let harness = try stormHarness()
        let first = try harness.fire(type: "node_down", title: "nginx down")
        let escalated = try harness.runUntil(alert: first, ["escalated", "awaiting_approval", "success"])
        XCTAssertEqual(escalated.summary.status, "escalated")
        let second = try harness.fire(type: "node_down", title: "nginx down again")
        let detail = try harness.runUntil(alert: second, ["escalated", "awaiting_approval", "success"])
        XCTAssertNotEqual(detail.summary.id, escalated.summary.id,
                          "seen: an alert within 5 minutes of an escalated execution joined it silently; nothing was diagnosed")
        XCTAssertTrue(detail.steps.contains { $0.phase == .diagnosis }, "the new alert is diagnosed")
        let created = detail.audit.first { $0.kind == "execution_created" }?.message ?? ""
        XCTAssertTrue(created.hasSuffix("; a new execution: the earlier one (\(escalated.summary.id.uuidString.prefix(8).lowercased())) is escalated"),
                      created)
    }
}
