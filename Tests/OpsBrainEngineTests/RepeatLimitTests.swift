import Foundation
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// The same SOP fixing the same target again and again: after `engine.repeat_limit` fixes in its
/// window the next one escalates "fix does not hold", with the history, instead of asking again.
final class RepeatLimitTests: XCTestCase {
    /// The failed-jobs SOP without a cooldown, able to run 10 times an hour, for alerts of `types`.
    private func harness(mode: EngineMode = .auto, limit: String = "{fixes: 3, window: 1h}",
                         types: [String] = ["jobs_failed"]) throws -> EngineHarness {
        let sop = EnginePipelineTests.jobsSOP()
            .replacingOccurrences(of: "cooldown_minutes: 30", with: "cooldown_minutes: 0\nmax_executions_per_hour: 10")
            .replacingOccurrences(of: "alert_types: [jobs_failed]", with: "alert_types: [\(types.joined(separator: ", "))]")
        return try EngineHarness(sops: ["data/failed-jobs": sop], configYAML: {
            EnginePipelineTests.config($0, extra: "engine:\n  repeat_limit: \(limit)\n")
        }, mode: mode)
    }

    func testTheFourthOfFiveRepeatsEscalatesFixDoesNotHold() throws {
        let harness = try harness()
        var outcomes: [String] = []
        var reasons: [String] = []
        for round in 1...5 {
            try harness.seedJobs(failed: 1)
            let alert = try harness.fire(type: "jobs_failed", title: "jobs failed, round \(round)")
            let detail = try harness.runUntil(alert: alert, ["success", "escalated", "awaiting_approval", "failed"])
            outcomes.append(detail.summary.status)
            reasons.append(detail.escalationReason ?? "")
            try harness.connection.query("UPDATE jobs SET status = 'done'")
        }
        XCTAssertEqual(outcomes, ["success", "success", "success", "escalated", "escalated"],
                       "seen: five repeats in 25 minutes were sent to approval five times for 'cooldown'")
        XCTAssertTrue(reasons[3].hasPrefix("fix does not hold: fixed 3 times in the last 60 min ("), reasons[3])
        XCTAssertTrue(reasons[3].contains("limit 3"), reasons[3])
        XCTAssertEqual(try harness.count("SELECT count(*) AS n FROM self_healing_executions WHERE fix_started_at IS NOT NULL"), 3,
                       "nothing was fixed past the limit")
        XCTAssertEqual(try harness.count("SELECT times_executed AS n FROM self_healing_sops WHERE sop_name = 'failed-jobs'"), 3,
                       "an escalation that ran nothing is not an execution of the fix")
    }

    func testAnApprovalGivenAfterTheLimitWasReachedEscalatesInsteadOfFixing() throws {
        let harness = try harness(mode: .approval, limit: "{fixes: 1, window: 30m}", types: ["jobs_failed", "jobs_stuck"])
        try harness.seedJobs(failed: 1)
        // Two kinds of alert for one SOP: two executions waiting side by side.
        let first = try harness.fire(type: "jobs_failed", title: "jobs failed")
        let second = try harness.fire(type: "jobs_stuck", title: "jobs stuck")
        let waiting = try [first, second].map { try harness.runUntil(alert: $0, ["awaiting_approval"]).summary.id }
        let approvals = ApprovalRepository(connection: harness.connection)
        try approvals.decide(waiting[0], approve: true, approver: Approver(name: "ana", address: nil), reason: nil)
        XCTAssertEqual(try harness.runUntil(alert: first, ["success", "escalated"]).summary.status, "success")
        try harness.seedJobs(failed: 1)
        try approvals.decide(waiting[1], approve: true, approver: Approver(name: "bob", address: nil), reason: nil)
        let detail = try harness.runUntil(alert: second, ["success", "escalated", "not_needed"])
        XCTAssertEqual(detail.summary.status, "escalated", "seen: approved fixes went past the cap (7 in 25 minutes)")
        XCTAssertTrue(detail.escalationReason?.hasPrefix("fix does not hold: fixed 1 time in the last 30 min") == true,
                      detail.escalationReason ?? "")
        XCTAssertEqual(detail.steps.filter { $0.phase == .fix }.count, 0, "the approved fix did not run")
        XCTAssertTrue(detail.audit.contains { $0.message.hasPrefix("approved by bob, but not run: fix does not hold") },
                      "\(detail.audit.map(\.message))")
    }

    func testARepeatLimitOfZeroTurnsTheRuleOff() throws {
        let harness = try harness(limit: "{fixes: 0, window: 1h}")
        for round in 1...4 {
            try harness.seedJobs(failed: 1)
            let alert = try harness.fire(type: "jobs_failed", title: "jobs failed, round \(round)")
            XCTAssertEqual(try harness.runUntil(alert: alert, ["success", "escalated", "awaiting_approval"]).summary.status, "success")
            try harness.connection.query("UPDATE jobs SET status = 'done'")
        }
    }
}
