import Foundation
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// The environment factor counts only the firing alerts related to the run: its SOP's category
/// or its instance. Unrelated incidents leave its confidence alone.
final class EnvironmentFactorTests: XCTestCase {
    /// The failed-jobs SOP (category data) beside a node-down SOP (infrastructure) that always escalates.
    private func harness() throws -> EngineHarness {
        let nodes = StormCorrelationTests.nodesDownSOP(name: "nodes-down", category: "infrastructure")
        return try EngineHarness(sops: ["data/failed-jobs": EnginePipelineTests.jobsSOP(), "infrastructure/nodes-down": nodes],
                                 configYAML: { EnginePipelineTests.config($0) }, mode: .approval)
    }

    private func notes(_ harness: EngineHarness, alert: UUID) throws -> [String] {
        let detail = try harness.runUntil(alert: alert, ["awaiting_approval", "success", "escalated"])
        let row = try harness.connection.query("SELECT confidence_breakdown::text AS b FROM self_healing_executions WHERE id = $1::uuid",
                                               [detail.summary.id]).first
        return row?.json("b")?["environment_notes"]?.arrayValue?.compactMap(\.stringValue) ?? ["(no breakdown)"]
    }

    func testUnrelatedEscalatedAlertsDoNotLowerTheConfidence() throws {
        let harness = try harness()
        let storm = try (0..<6).map { try harness.fire(type: "node_down", title: "node-\($0) down") }
        XCTAssertEqual(try harness.runUntil(alert: storm[0], ["escalated", "awaiting_approval"]).summary.status, "escalated")
        try harness.seedJobs(failed: 1)
        let jobs = try harness.fire(type: "jobs_failed", title: "jobs failed")
        let environment = try notes(harness, alert: jobs)
        XCTAssertFalse(environment.contains { $0.contains("alerts firing") },
                       "seen: 6 long-escalated unrelated alerts cost an unrelated pool reset its threshold: \(environment)")
    }

    func testAStormOfRelatedAlertsStillCounts() throws {
        let harness = try harness()
        try harness.seedJobs(failed: 1)
        let storm = try (0..<6).map { try harness.fire(type: "jobs_failed", title: "jobs failed on worker \($0)") }
        XCTAssertTrue(try notes(harness, alert: storm[0]).contains("6 related alerts firing"))
    }
}
