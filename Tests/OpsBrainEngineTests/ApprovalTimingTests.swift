import Foundation
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// Time spent waiting for a person: reported on its own, never as fix time; and a request nobody
/// answers expires after `engine.approval_ttl`.
final class ApprovalTimingTests: XCTestCase {
    /// One failed job waiting for approval under `engine` settings; the harness and the execution.
    private func waitingForApproval(engine: String = "") throws -> (EngineHarness, UUID, UUID) {
        let harness = try EngineHarness(sops: ["data/failed-jobs": EnginePipelineTests.jobsSOP()], configYAML: {
            EnginePipelineTests.config($0, extra: engine.isEmpty ? "" : "engine:\n" + engine)
        }, mode: .approval)
        try harness.seedJobs(failed: 1)
        let alert = try harness.fire(type: "jobs_failed", title: "jobs failed")
        let waiting = try harness.runUntil(alert: alert, ["awaiting_approval"])
        return (harness, alert, waiting.summary.id)
    }

    /// Moves the execution's start and its approval request `minutes` into the past, as if it had waited that long.
    private func age(_ harness: EngineHarness, _ execution: UUID, minutes: Int) throws {
        try harness.connection.query("""
            UPDATE self_healing_approvals SET requested_at = requested_at - make_interval(mins => $2) WHERE execution_id = $1::uuid
            """, [execution, minutes])
        try harness.connection.query("""
            UPDATE self_healing_executions SET started_at = started_at - make_interval(mins => $2) WHERE id = $1::uuid
            """, [execution, minutes])
    }

    func testFixTimeRunsFromTheFixsStartAndTheApprovalWaitIsReportedOnItsOwn() throws {
        let (harness, alert, execution) = try waitingForApproval()
        try age(harness, execution, minutes: 12)
        try ApprovalRepository(connection: harness.connection).decide(execution, approve: true,
                                                                      approver: Approver(name: "ana", address: nil), reason: nil)
        XCTAssertEqual(try harness.runUntil(alert: alert, ["success", "escalated"]).summary.status, "success")
        let fixMs = try harness.count("SELECT total_resolution_time_ms AS n FROM self_healing_executions")
        XCTAssertLessThan(fixMs, 60_000, "seen: a 2m12s fix time that was mostly the wait for approval")
        XCTAssertLessThan(try harness.count("SELECT avg_resolution_time_ms AS n FROM self_healing_sops WHERE sop_name = 'failed-jobs'"),
                          60_000, "the SOP's mean fix time leaves the wait out too")
        let facts = try ReportRepository(connection: harness.connection)
            .facts(from: Date().addingTimeInterval(-3600), to: Date().addingTimeInterval(60)).executions
        let wait = try XCTUnwrap(facts.first?.approvalWaitMs)
        XCTAssertGreaterThanOrEqual(wait, 12 * 60_000)
        XCTAssertLessThan(wait, 13 * 60_000)
        let report = DailyReportBuilder(settings: ReportSettings(), timeZone: TimeZone(identifier: "UTC")!).build(
            ReportFacts(windowStart: Date().addingTimeInterval(-3600), windowEnd: Date(), alertsDetected: 1, executions: facts),
            reportDate: "2026-12-02")
        XCTAssertEqual(report.stats.fixedWithApproval, 1)
        XCTAssertEqual(report.stats.autoFixed, 0)
        let text = DailyReportRenderer(report).text()
        XCTAssertTrue(text.contains("approved by ana after a 12m"), text)
        XCTAssertTrue(text.contains("Avg approval wait"), text)
    }

    func testAnUnansweredRequestExpiresRejectedAuditedAndAnnounced() throws {
        let (harness, alert, execution) = try waitingForApproval(engine: "  approval_ttl: 30m\n")
        XCTAssertEqual(try harness.runUntil(alert: alert, ["awaiting_approval"]).summary.status, "awaiting_approval",
                       "a fresh request is not expired")
        try age(harness, execution, minutes: 31)
        try harness.connection.query("UPDATE self_healing_executions SET next_action_at = now() WHERE id = $1::uuid", [execution])
        let detail = try harness.runUntil(alert: alert, ["rejected", "escalated", "success"])
        XCTAssertEqual(detail.summary.status, "rejected")
        XCTAssertEqual(detail.steps.filter { $0.phase == .fix }.count, 0, "nothing ran")
        XCTAssertEqual(try harness.count("SELECT count(*) AS n FROM jobs WHERE status = 'failed'"), 1)
        XCTAssertTrue(detail.audit.contains { $0.kind == "approval_expired" && $0.message.contains("within 30m") },
                      "\(detail.audit.map(\.message))")
        let approval = try XCTUnwrap(harness.connection.query(
            "SELECT decision, decided_by FROM self_healing_approvals WHERE execution_id = $1::uuid", [execution]).first)
        XCTAssertEqual(approval.string("decision"), "expired")
        XCTAssertEqual(approval.string("decided_by"), "approval expiry")
        XCTAssertEqual(try harness.count("SELECT count(*) AS n FROM opsbrain_notifications WHERE kind = 'approval_expired'"), 1,
                       "the expiry is announced")
        XCTAssertThrowsError(try ApprovalRepository(connection: harness.connection).decide(
            execution, approve: true, approver: Approver(name: "ana", address: nil), reason: nil)) { error in
            XCTAssertEqual("\(error)", "already expired by approval expiry")
        }
    }

    func testAnExpiryConfiguredToEscalatePagesInsteadOfRejecting() throws {
        let (harness, alert, execution) = try waitingForApproval(engine: "  approval_ttl: 10m\n  approval_expiry: escalate\n")
        try age(harness, execution, minutes: 11)
        try harness.connection.query("UPDATE self_healing_executions SET next_action_at = now() WHERE id = $1::uuid", [execution])
        let detail = try harness.runUntil(alert: alert, ["rejected", "escalated", "success"])
        XCTAssertEqual(detail.summary.status, "escalated")
        XCTAssertTrue(detail.escalationReason?.hasPrefix("approval expired: no one approved or rejected within 10m") == true,
                      detail.escalationReason ?? "")
        XCTAssertEqual(try harness.count("SELECT count(*) AS n FROM opsbrain_notifications WHERE kind = 'escalation'"), 1)
    }

    func testTheRequestIsDueAtItsExpiry() throws {
        let (harness, _, execution) = try waitingForApproval(engine: "  approval_ttl: 45m\n")
        let due = try XCTUnwrap(harness.connection.query("""
            SELECT extract(epoch FROM e.next_action_at - a.requested_at) AS s FROM self_healing_executions e
            JOIN self_healing_approvals a ON a.execution_id = e.id WHERE e.id = $1::uuid
            """, [execution]).first?.double("s"))
        XCTAssertEqual(due, 45 * 60, accuracy: 5, "an engine looks at the request again when it expires")
    }
}
