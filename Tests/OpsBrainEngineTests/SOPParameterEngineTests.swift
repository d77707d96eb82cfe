import Foundation
import OpsBrainCore
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// The engine runs an SOP with this deployment's parameter values: a diagnosis reads the table
/// that the config names, in a real PostgreSQL where the SOP's default table does not exist.
final class SOPParameterEngineTests: XCTestCase {
    private static let sop = EnginePipelineTests.sop(name: "failed-tasks", type: "tasks_failed", autoFix: false, diagnosis: """
        diagnosis:
          - id: failed_tasks
            type: sql
            target: app_db
            query: "SELECT count(*) AS failed FROM {{jobs_table}} WHERE status = $1 AND updated_at > now() - interval '{{window}}'"
            params: ["{{failed_status}}"]
            expect: {failed: {lt: "{{max_failed}}"}}
        """, fix: "", verification: "", extra: """
        parameters:
          jobs_table: {kind: identifier, default: jobs, description: The table of background jobs}
          failed_status: {kind: text, default: failed, description: The status of a job that failed}
          window: {kind: duration, default: 6h, description: How far back failures count}
          max_failed: {kind: number, default: 1, description: Failed jobs that are still normal}
        """)

    /// A harness whose database has a `task_queue` table (no `jobs`) with two dead tasks and an old one.
    private func harness(sopParameters: String) throws -> EngineHarness {
        let harness = try EngineHarness(sops: ["data/failed-tasks": Self.sop],
                                        configYAML: { EnginePipelineTests.config($0, extra: sopParameters) })
        try harness.connection.query("CREATE TABLE task_queue (id serial PRIMARY KEY, status text NOT NULL, updated_at timestamptz NOT NULL)")
        try harness.connection.query("""
            INSERT INTO task_queue (status, updated_at) VALUES
              ('dead', now()), ('dead', now() - interval '1 hour'), ('dead', now() - interval '2 days'), ('done', now())
            """)
        return harness
    }

    private func diagnosis(_ harness: EngineHarness) throws -> StepRecord {
        let alert = try harness.fire(type: "tasks_failed", title: "tasks are failing")
        let done = try harness.runUntil(alert: alert, ["escalated", "diagnosed", "success", "failed", "awaiting_approval"])
        return try XCTUnwrap(done.steps.first { $0.phase == .diagnosis && $0.stepID == "failed_tasks" }, "\(done.steps.map(\.stepID))")
    }

    func testTheDiagnosisReadsTheTableTheConfigNames() throws {
        let harness = try harness(sopParameters: """
            sop_parameters:
              defaults:
                window: 3h
              sops:
                failed-tasks:
                  jobs_table: task_queue
                  failed_status: dead
                  max_failed: 3
            """)
        let step = try diagnosis(harness)
        XCTAssertEqual(step.result["values"]?["failed"], .number(2), "two dead tasks in the last 3 hours: \(step.result)")
        XCTAssertEqual(step.result["verdict"], .string("passed"), "under the configured threshold of 3 it is no finding")
    }

    func testWithTheDefaultsTheStepMeetsTheMissingTable() throws {
        let step = try diagnosis(try harness(sopParameters: ""))
        XCTAssertEqual(step.result["verdict"], .string("error"), "\(step.result)")
        XCTAssertTrue(step.result["error"]?.stringValue?.contains(#"relation "jobs" does not exist"#) == true, "\(step.result)")
    }
}
