import Foundation
import OpsBrainCore
import OpsBrainPostgres
import XCTest

/// A person resolving an alert by hand (`opsbrain alert resolve`) while its run verifies is not
/// the source resolving it: the run ends `resolved_by_hand`, at once, and counts neither as a
/// success nor as a failure in the SOP's statistics.
final class HandResolveTests: XCTestCase {
    private let ana = Approver(name: "ana", address: "10.0.0.7")
    private let ended: Set<String> = ["success", "escalated", "failed", "resolved_by_hand"]

    func testAHandResolveWhileTheRunWaitsForItsSourceEndsItUncountedAtOnce() throws {
        let harness = try jobsHarness()
        let alert = try webhookAlert(harness, fingerprint: "hand-1")
        try harness.runUntil(count: """
            SELECT count(*) AS n FROM self_healing_executions WHERE status = 'verifying' AND verification_results->>'waiting_for' = 'resolve'
            """) { $0 == 1 }
        try AlertActionRepository(connection: harness.connection).resolve(alert, reason: "restarted the worker myself", by: ana)

        // The resolve bound is 10 minutes: ending within 30 s means the hand resolve woke the run.
        let done = try harness.runUntil(alert: alert, ended, timeout: 30)
        try assertResolvedByHand(done, harness)

        // The person may still undo the fix; that is not counted either.
        try ApprovalRepository(connection: harness.connection).requestRollback(done.summary.id, approver: ana)
        let rolled = try harness.runUntil(alert: alert, ["rolled_back"])
        XCTAssertEqual(try harness.count("SELECT count(*) AS n FROM jobs WHERE status = 'failed'"), 2, "the retried jobs are failed again")
        XCTAssertEqual(rolled.sopStatistics.executed, 0)
        XCTAssertNil(rolled.wasEffective)
    }

    func testAHandResolveBeforeVerificationIsNotASuccess() throws {
        let harness = try jobsHarness(guarded: true)
        let alert = try webhookAlert(harness, fingerprint: "hand-2")
        // The fix ran and the run pauses for its SOP's wait_before; the SOP's checks will pass.
        try harness.runUntil(count: "SELECT count(*) AS n FROM self_healing_executions WHERE status = 'verifying'") { $0 == 1 }
        try AlertActionRepository(connection: harness.connection).resolve(alert, reason: "restarted the worker myself", by: ana)

        let done = try harness.runUntil(alert: alert, ended, timeout: 30)
        try assertResolvedByHand(done, harness)
        XCTAssertEqual(done.verification?["steps"]?["none_failed"]?["verdict"], .string("passed"),
                       "the SOP's checks still run and are recorded")
    }

    /// The source resolved the run's alert, fired again after the fix (the problem is back), and a
    /// person resolved that alert by hand: the source never said the problem went away again.
    func testAHandResolveOfAnAlertThatFiredAgainAfterTheFixIsNotASuccess() throws {
        let harness = try jobsHarness(guarded: true)
        let alert = try webhookAlert(harness, fingerprint: "hand-3")
        try harness.runUntil(count: "SELECT count(*) AS n FROM self_healing_executions WHERE status = 'verifying'") { $0 == 1 }
        let intake = IntakeRepository(connection: harness.connection)
        _ = try intake.ingest(try WebhookParser.generic(.object([
            "type": .string("jobs_failed"), "title": .string("Jobs failing"), "fingerprint": .string("hand-3"), "status": .string("resolved"),
        ])))
        let again = try webhookAlert(harness, fingerprint: "hand-3", expectRows: 2, newest: true)
        try harness.runUntil(count: """
            SELECT count(*) AS n FROM self_healing_executions WHERE status = 'verifying' AND verification_results->>'waiting_for' = 'resolve'
            """) { $0 == 1 }
        try AlertActionRepository(connection: harness.connection).resolve(again, reason: "it is fine now", by: ana)

        let done = try harness.runUntil(alert: alert, ended, timeout: 30)
        try assertResolvedByHand(done, harness)
    }

    /// The run ended `resolved_by_hand` with who and why, and the SOP's statistics are untouched.
    private func assertResolvedByHand(_ done: ExecutionDetail, _ harness: EngineHarness,
                                      file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(done.summary.status, "resolved_by_hand", "\(done.audit.map(\.message))", file: file, line: line)
        XCTAssertNil(done.wasEffective, "neither a success nor a failure", file: file, line: line)
        XCTAssertEqual(done.sopStatistics.executed, 0, file: file, line: line)
        XCTAssertEqual(done.sopStatistics.successful, 0, file: file, line: line)
        XCTAssertEqual(try harness.count("SELECT consecutive_failures AS n FROM self_healing_sops WHERE sop_name = 'failed-jobs'"), 0,
                       file: file, line: line)
        XCTAssertTrue(done.escalationReason?.contains("resolved by hand by ana") == true, done.escalationReason ?? "no reason",
                      file: file, line: line)
        let card = VerificationSummary.text(done.verification, status: ExecutionStatus(rawValue: done.summary.status) ?? .failed)
        XCTAssertTrue(card.hasPrefix("no (attempt 1): ") && card.contains("resolved the alert by hand"), card, file: file, line: line)
    }

    /// Failed jobs retried on a webhook alert whose source stays silent; the resolve bound is 10
    /// minutes, so a run that waits it out fails the test's own shorter timeout.
    private func jobsHarness(guarded: Bool = false) throws -> EngineHarness {
        let harness = try EngineHarness(sops: ["data/failed-jobs": EnginePipelineTests.jobsSOP(guarded: guarded)],
                                        configYAML: { EnginePipelineTests.config($0) }, resolveWait: .seconds(600))
        harness.sourceResolves = false
        try harness.seedJobs(failed: 2)
        return harness
    }

    /// A generic webhook's alert, as `POST /api/v1/alerts` parses it; the oldest (or newest) row of the fingerprint.
    private func webhookAlert(_ harness: EngineHarness, fingerprint: String, expectRows: Int = 1, newest: Bool = false) throws -> UUID {
        _ = try IntakeRepository(connection: harness.connection).ingest(try WebhookParser.generic(.object([
            "type": .string("jobs_failed"), "title": .string("Jobs failing"), "severity": .string("high"), "fingerprint": .string(fingerprint),
        ])))
        let rows = try harness.connection.query("SELECT id FROM intelligence_alerts WHERE fingerprint = $1 ORDER BY created_at", [fingerprint])
        XCTAssertEqual(rows.rows.count, expectRows)
        return try XCTUnwrap((newest ? rows.rows.last : rows.rows.first)?.uuid("id"))
    }
}
