import Foundation
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// The whole pipeline against a real PostgreSQL: diagnosis, decision, fixes, verification,
/// rollback and learning, with SQL steps and Postgres fix drivers acting on real sessions and rows.
final class EnginePipelineTests: XCTestCase {
    static func sop(name: String, category: String = "data", type: String, risk: String = "low", autoFix: Bool = true,
                    diagnosis: String, fix: String, verification: String, attempts: Int = 1, extra: String = "") -> String {
        """
        ---
        name: \(name)
        category: \(category)
        agent: data
        description: Test runbook \(name).
        severity: high
        risk: \(risk)
        auto_fix: \(autoFix)
        requires_approval: false
        cooldown_minutes: 30
        trigger:
          alert_types: [\(type)]
        \(diagnosis)
        \(fix)
        verification:
          wait_before: 0s
          attempts: \(attempts)
          rerun_alert_check: false
        \(verification)
        escalate_if:
          - when: "attempts >= \(attempts + 1)"
            reason: too many attempts
        \(extra)
        ---
        \(TestRunbooks.body)
        """
    }

    static func config(_ url: String, extra: String = "") -> String {
        TestRunbooks.targets(url: url) + "\n" + extra
    }

    /// Failed jobs are retried. `guarded`: not while a person holds a job by hand (that escalates
    /// instead), with a second of wait before verifying.
    static func jobsSOP(attempts: Int = 1, expectFailed: Int = 0, mode: String? = nil, guarded: Bool = false) -> String {
        let held = guarded ? """

              - id: held_jobs
                type: sql
                target: app_db
                query: "SELECT count(*) AS held FROM jobs WHERE status = 'held'"
                expect: {held: 0}
            """ : ""
        let sop = Self.sop(name: "failed-jobs", type: "jobs_failed",
                 diagnosis: """
                 diagnosis:
                   - id: failed_jobs
                     type: sql
                     target: app_db
                     query: "SELECT count(*) AS failed FROM jobs WHERE status = 'failed'"
                     expect: {failed: 0}\(held)
                 """,
                 fix: """
                 fix:
                   - id: retry
                     operation: queue_retry
                     when: "failed_jobs.failed > 0\(guarded ? " and held_jobs.held == 0" : "")"
                     statement: retry_jobs
                     limit: 100
                 """,
                 verification: """
                   steps:
                     - id: none_failed
                       type: sql
                       target: app_db
                       query: "SELECT count(*) AS failed FROM jobs WHERE status = 'failed'"
                       expect: {failed: \(expectFailed)}
                 """, attempts: attempts, extra: mode.map { "mode: \($0)" } ?? "")
        guard guarded else { return sop }
        return sop.replacingOccurrences(of: "wait_before: 0s", with: "wait_before: 1s")
            .replacingOccurrences(of: "escalate_if:\n", with: "escalate_if:\n  - when: \"held_jobs.held > 0\"\n    reason: a person holds jobs by hand\n")
    }

    /// A harness whose app database is its own test database, with a jobs table holding failures.
    private func jobsHarness(attempts: Int = 1, expectFailed: Int = 0, mode: EngineMode = .auto, sopMode: String? = nil) throws -> EngineHarness {
        try EngineHarness(sops: ["data/failed-jobs": Self.jobsSOP(attempts: attempts, expectFailed: expectFailed, mode: sopMode)],
                          configYAML: { Self.config($0) }, mode: mode)
    }

    func testQueueRetryIsAppliedVerifiedAndLearned() throws {
        let harness = try jobsHarness()
        try harness.seedJobs(failed: 3)
        let alert = try harness.fire(type: "jobs_failed", title: "3 jobs failed")
        let detail = try harness.runUntil(alert: alert, ["success", "escalated", "failed", "awaiting_approval"])
        XCTAssertEqual(detail.summary.status, "success", detail.escalationReason ?? "")
        XCTAssertEqual(try harness.count("SELECT count(*) AS n FROM jobs WHERE status = 'pending'"), 3)
        XCTAssertEqual(detail.steps.filter { $0.phase == .fix }.count, 1)
        XCTAssertEqual(detail.sopStatistics.executed, 1)
        XCTAssertEqual(detail.sopStatistics.successful, 1)
        XCTAssertNotNil(detail.confidenceBreakdown?["total"])
        XCTAssertEqual(detail.confidenceBreakdown?["success_rate_source"], .string("prior"))
        let kinds = detail.audit.map(\.kind)
        XCTAssertEqual(kinds.first, "execution_created")
        XCTAssertTrue(kinds.contains("decision") && kinds.contains("status_verifying") && kinds.contains("status_success"), "\(kinds)")
    }

    func testSOPModeDiagnoseOnlyWinsOverAnAutoEngine() throws {
        let harness = try jobsHarness(mode: .auto, sopMode: "diagnose_only")
        try harness.seedJobs(failed: 2)
        let alert = try harness.fire(type: "jobs_failed", title: "jobs failed")
        let detail = try harness.runUntil(alert: alert, ["diagnosed", "success", "escalated", "awaiting_approval"])
        XCTAssertEqual(detail.summary.status, "diagnosed")
        XCTAssertEqual(detail.steps.filter { $0.phase == .fix }.count, 0)
        XCTAssertEqual(try harness.count("SELECT count(*) AS n FROM jobs WHERE status = 'failed'"), 2)
    }

    /// Two failed jobs retried successfully: the harness, the alert and the finished run.
    private func retriedJobs() throws -> (EngineHarness, UUID, ExecutionDetail) {
        let harness = try jobsHarness()
        try harness.seedJobs(failed: 2)
        let alert = try harness.fire(type: "jobs_failed", title: "jobs failed")
        let done = try harness.runUntil(alert: alert, ["success", "escalated", "failed"])
        XCTAssertEqual(done.summary.status, "success")
        return (harness, alert, done)
    }

    func testRollbackRestoresPreviousValues() throws {
        let (harness, alert, done) = try retriedJobs()
        try ApprovalRepository(connection: harness.connection).requestRollback(done.summary.id, approver: Approver(name: "ana", address: "10.0.0.5"))
        let rolled = try harness.runUntil(alert: alert, ["rolled_back"])
        XCTAssertEqual(try harness.count("SELECT count(*) AS n FROM jobs WHERE status = 'failed'"), 2)
        XCTAssertTrue(rolled.audit.contains { $0.kind == "rollback_requested" && $0.message.contains("10.0.0.5") })
        let stats = try XCTUnwrap(harness.connection.query(
            "SELECT times_executed, times_successful, consecutive_failures FROM self_healing_sops WHERE sop_name = 'failed-jobs'").first)
        XCTAssertEqual([stats.int("times_executed"), stats.int("times_successful"), stats.int("consecutive_failures")], [1, 1, 0],
                       "a rollback a person asked for is neither a second execution nor a failed fix")
        XCTAssertThrowsError(try ApprovalRepository(connection: harness.connection).requestRollback(
            done.summary.id, approver: Approver(name: "bo", address: nil)))
    }

    func testARollbackMarkedHarmfulCountsAsAFailedFix() throws {
        let (harness, alert, done) = try retriedJobs()
        try ApprovalRepository(connection: harness.connection).requestRollback(done.summary.id, approver: Approver(name: "ana", address: nil),
                                                                                harmful: true)
        let rolled = try harness.runUntil(alert: alert, ["rolled_back"])
        XCTAssertTrue(rolled.audit.contains { $0.message.hasSuffix("marking the fix harmful (it counts as a failed fix)") },
                      "\(rolled.audit.map(\.message))")
        let stats = try XCTUnwrap(harness.connection.query("""
            SELECT times_executed, times_successful, consecutive_failures, last_failure_reason FROM self_healing_sops
            WHERE sop_name = 'failed-jobs'
            """).first)
        XCTAssertEqual([stats.int("times_executed"), stats.int("times_successful"), stats.int("consecutive_failures")], [1, 0, 1],
                       "one execution, no longer a success, and a failure in a row")
        XCTAssertEqual(stats.string("last_failure_reason"), "rolled back as harmful by ana")
        XCTAssertEqual(try harness.count("SELECT count(*) AS n FROM self_healing_executions WHERE was_effective_fix = false"), 1)
    }

    func testFailedVerificationRediagnosesRollsBackEscalatesAndCounts() throws {
        let harness = try jobsHarness(attempts: 2, expectFailed: 99)
        try harness.seedJobs(failed: 2)
        let alert = try harness.fire(type: "jobs_failed", title: "jobs failed")
        let detail = try harness.runUntil(alert: alert, ["escalated", "success", "failed"])
        XCTAssertEqual(detail.summary.status, "escalated")
        XCTAssertEqual(detail.attempts, 1, "the retry found no failed job left to retry, so it did not repeat the fix")
        XCTAssertTrue(detail.escalationReason?.contains("re-diagnosed before attempt 2: no decided fix applies any more; rolled back") == true,
                      detail.escalationReason ?? "")
        XCTAssertEqual(detail.steps.filter { $0.phase == .fix }.count, 1)
        XCTAssertEqual(detail.steps.filter { $0.phase == .rollback }.count, 1)
        XCTAssertEqual(try harness.count("SELECT count(*) AS n FROM jobs WHERE status = 'failed'"), 2, "rolled back")
        let sop = try XCTUnwrap(try harness.connection.query(
            "SELECT times_executed, times_successful, consecutive_failures, last_failure_reason FROM self_healing_sops").first)
        XCTAssertEqual(sop.int("times_executed"), 1)
        XCTAssertEqual(sop.int("times_successful"), 0)
        XCTAssertEqual(sop.int("consecutive_failures"), 1)
        XCTAssertNotNil(sop.string("last_failure_reason"))
    }

    func testCooldownSendsTheSecondRunToApproval() throws {
        let harness = try jobsHarness()
        try harness.seedJobs(failed: 1)
        let first = try harness.fire(type: "jobs_failed", title: "jobs failed")
        XCTAssertEqual(try harness.runUntil(alert: first, ["success", "escalated"]).summary.status, "success")
        try harness.seedJobs(failed: 1)
        let second = try harness.fire(type: "jobs_failed", title: "jobs failed again")
        let detail = try harness.runUntil(alert: second, ["awaiting_approval", "success", "escalated"])
        XCTAssertEqual(detail.summary.status, "awaiting_approval")
        XCTAssertTrue(detail.audit.contains { $0.kind == "decision" && $0.message.contains("cooldown") }, "\(detail.audit.map(\.message))")
    }

    func testAnApprovedFixStartsTheCooldownLikeAnAutomaticOne() throws {
        let harness = try jobsHarness(mode: .approval)
        try harness.seedJobs(failed: 1)
        let alert = try harness.fire(type: "jobs_failed", title: "jobs failed")
        let waiting = try harness.runUntil(alert: alert, ["awaiting_approval"])
        XCTAssertEqual(try harness.count("SELECT count(*) AS n FROM self_healing_executions WHERE fix_started_at IS NOT NULL"), 0)
        try ApprovalRepository(connection: harness.connection).decide(waiting.summary.id, approve: true,
                                                                      approver: Approver(name: "ana", address: nil), reason: nil)
        XCTAssertEqual(try harness.runUntil(alert: alert, ["success", "escalated"]).summary.status, "success")
        XCTAssertEqual(try harness.count("SELECT count(*) AS n FROM self_healing_executions WHERE fix_started_at IS NOT NULL"), 1,
                       "the approved fix counts for the SOP's cooldown and hourly cap")
    }

    /// One failed job waiting for approval; `meanwhile` changes the world before ana approves; the
    /// execution as it ends, with the harness.
    private func approveLate(meanwhile: (EngineHarness, UUID) throws -> Void) throws -> (ExecutionDetail, EngineHarness) {
        let harness = try jobsHarness(mode: .approval)
        try harness.seedJobs(failed: 1)
        let alert = try harness.fire(type: "jobs_failed", title: "jobs failed")
        let waiting = try harness.runUntil(alert: alert, ["awaiting_approval"])
        try meanwhile(harness, alert)
        try ApprovalRepository(connection: harness.connection).decide(waiting.summary.id, approve: true,
                                                                      approver: Approver(name: "ana", address: nil), reason: nil)
        return (try harness.runUntil(alert: alert, ["success", "escalated", "failed", "not_needed"]), harness)
    }

    func testAnApprovalGivenAfterTheProblemWentAwayRunsNothingAndIsNoSuccess() throws {
        let (detail, harness) = try approveLate { harness, _ in
            try harness.connection.query("UPDATE jobs SET status = 'done'")   // the job was retried by hand meanwhile
        }
        XCTAssertEqual(detail.summary.status, "not_needed", "seen: the approved fix ran on a healed system and counted as a success")
        XCTAssertTrue(detail.escalationReason?.contains("no decided fix applies any more") == true, detail.escalationReason ?? "")
        XCTAssertEqual(detail.steps.filter { $0.phase == .fix }.count, 0, "nothing ran")
        XCTAssertTrue(detail.steps.contains { $0.phase == .recheck }, "the diagnosis ran again at approval")
        XCTAssertEqual(try harness.count("SELECT times_executed AS n FROM self_healing_sops WHERE sop_name = 'failed-jobs'"), 0,
                       "the statistics count only what happened")
    }

    func testAnApprovalGivenAfterTheAlertResolvedRunsNothing() throws {
        let (detail, harness) = try approveLate { harness, alert in
            try harness.connection.query("UPDATE intelligence_alerts SET status = 'resolved', resolved_at = now() WHERE id = $1::uuid", [alert])
        }
        XCTAssertEqual(detail.summary.status, "not_needed")
        XCTAssertTrue(detail.escalationReason?.contains("the alert resolved before the approved fix ran") == true, detail.escalationReason ?? "")
        XCTAssertEqual(try harness.count("SELECT count(*) AS n FROM jobs WHERE status = 'failed'"), 1, "the fix did not run")
    }

    private func guardedJobsHarness() throws -> EngineHarness {
        try EngineHarness(sops: ["data/failed-jobs": Self.jobsSOP(attempts: 2, guarded: true)], configYAML: { Self.config($0) })
    }

    func testARetryDiagnosesAgainAndRepeatsTheFixThatStillApplies() throws {
        let harness = try guardedJobsHarness()
        try harness.seedJobs(failed: 1)
        let alert = try harness.fire(type: "jobs_failed", title: "jobs failed")
        _ = try harness.runUntil(alert: alert, ["verifying"])
        try harness.seedJobs(failed: 1)   // meanwhile another job fails
        let detail = try harness.runUntil(alert: alert, ["success", "escalated", "failed"])
        XCTAssertEqual(detail.summary.status, "success", detail.escalationReason ?? "")
        XCTAssertEqual(detail.steps.filter { $0.phase == .fix }.map(\.attempt), [1, 2])
        XCTAssertEqual(try harness.count("SELECT count(*) AS n FROM jobs WHERE status = 'failed'"), 0)
    }

    func testARetryDiagnosesAgainAndStopsWhenAnEscalationRuleNowHolds() throws {
        let harness = try guardedJobsHarness()
        try harness.seedJobs(failed: 1)
        let alert = try harness.fire(type: "jobs_failed", title: "jobs failed")
        _ = try harness.runUntil(alert: alert, ["verifying"])
        // Meanwhile the world changes: a job fails again, and a person holds one by hand.
        try harness.seedJobs(failed: 1)
        try harness.connection.query("INSERT INTO jobs (status) VALUES ('held')")
        let detail = try harness.runUntil(alert: alert, ["success", "escalated", "failed"])
        XCTAssertEqual(detail.summary.status, "escalated")
        XCTAssertTrue(detail.escalationReason?.hasPrefix("a person holds jobs by hand; rolled back: undid retry") == true,
                      detail.escalationReason ?? "")
        XCTAssertEqual(detail.steps.filter { $0.phase == .fix }.map(\.attempt), [1], "the fix is not repeated")
        XCTAssertTrue(detail.steps.contains { $0.phase == .diagnosis && $0.attempt == 1 }, "diagnosed again before the retry")
    }

    func testInterruptedFixIsNeverRunAgain() throws {
        let harness = try jobsHarness(mode: .approval)
        try harness.seedJobs(failed: 2)
        let alert = try harness.fire(type: "jobs_failed", title: "jobs failed")
        let waiting = try harness.runUntil(alert: alert, ["awaiting_approval"])
        try ApprovalRepository(connection: harness.connection).decide(waiting.summary.id, approve: true,
                                                                      approver: Approver(name: "ana", address: nil), reason: nil)
        // A previous engine began the fix step and died before recording its end.
        XCTAssertTrue(try harness.repository.beginStep(waiting.summary.id, phase: .fix, stepID: "retry", attempt: 1))
        let detail = try harness.runUntil(alert: alert, ["success", "escalated", "failed"])
        XCTAssertEqual(try harness.count("SELECT count(*) AS n FROM jobs WHERE status = 'failed'"), 2, "the fix did not run again")
        XCTAssertEqual(detail.steps.filter { $0.phase == .fix }.count, 1)
        XCTAssertTrue(detail.audit.contains { $0.message.contains("may have run, so it is not run again") })
        XCTAssertEqual(detail.summary.status, "escalated", "verification failed, so it ends escalated, in a defined state")
    }

    func testNeverAutoFixClassWaitsForApprovalAndFirstDecisionWins() throws {
        let billing = Self.sop(name: "billing-low", type: "billing", diagnosis: """
            diagnosis:
              - id: balance
                type: sql
                target: app_db
                query: "SELECT 10 AS balance"
                expect: {balance: {gte: 50}}
            """, fix: """
            fix:
              - id: top_up
                operation: http_call
                when: "balance.balance < 50"
                target: billing_api
                method: POST
                path: /top-up
                class: billing
                approval: required
            """, verification: "  steps: []")
        let harness = try EngineHarness(sops: ["data/billing-low": billing], configYAML: { Self.config($0) }, mode: .auto)
        let alert = try harness.fire(type: "billing", title: "Balance low")
        let detail = try harness.runUntil(alert: alert, ["awaiting_approval", "fixing", "success", "escalated"])
        XCTAssertEqual(detail.summary.status, "awaiting_approval")
        XCTAssertTrue(detail.audit.contains { $0.message.contains("never-auto-fix class 'billing'") })
        let summary = try harness.connection.query("SELECT summary::text AS s FROM self_healing_approvals").first?.string("s") ?? ""
        XCTAssertTrue(summary.contains("POST") && summary.contains("/top-up"), summary)
        let approvals = ApprovalRepository(connection: harness.connection)
        try approvals.decide(detail.summary.id, approve: false, approver: Approver(name: "ana", address: "10.1.1.1"), reason: "not today")
        XCTAssertThrowsError(try approvals.decide(detail.summary.id, approve: true, approver: Approver(name: "bo", address: nil), reason: nil)) {
            XCTAssertEqual("\($0)", "already rejected by ana")
        }
        XCTAssertEqual(try harness.execution(for: alert)?.summary.status, "rejected")
    }

    func testUnknownAlertIsEscalatedAndBadAlertsAreNormalizedOrRejected() throws {
        let harness = try jobsHarness()
        let unknown = try harness.fire(type: "mystery", title: "Something odd", labels: ["host": "db-1"])
        let detail = try harness.runUntil(alert: unknown, ["escalated"])
        XCTAssertEqual(detail.escalationReason, "unknown problem: no SOP matches this alert")
        XCTAssertEqual(detail.diagnosis?["generic"]?["labels"]?["host"], .string("db-1"))

        try harness.connection.query("INSERT INTO intelligence_alerts (alert_type, title, severity) VALUES ('', 'no type', 'high')")
        let huge = String(repeating: "x", count: 200_000)
        let weird = try XCTUnwrap(try harness.connection.query("""
            INSERT INTO intelligence_alerts (alert_type, title, severity, evidence) VALUES ('jobs_failed', '', 'purple', $1::jsonb) RETURNING id
            """, [JSONValue.object(["blob": .string(huge)])]).first?.uuid("id"))
        _ = try harness.runUntil(alert: weird, ["success", "escalated", "awaiting_approval"])
        let rejected = try harness.connection.query("SELECT rejection_reason FROM intelligence_alerts WHERE status = 'rejected'").first
        XCTAssertEqual(rejected?.string("rejection_reason"), "alert_type is missing")
        let normalized = try XCTUnwrap(try harness.connection.query("""
            SELECT title, severity, normalization_notes::text AS notes, length(evidence::text) AS size FROM intelligence_alerts WHERE id = $1::uuid
            """, [weird]).first)
        XCTAssertEqual(normalized.string("title"), "jobs_failed")
        XCTAssertEqual(normalized.string("severity"), "medium")
        XCTAssertLessThan(normalized.int("size") ?? .max, 5000)
        XCTAssertTrue(normalized.string("notes")?.contains("unknown severity") == true)
    }

    func testIdleSessionsAreTerminated() throws {
        let sop = Self.sop(name: "idle-sessions", type: "pg_idle", risk: "low", diagnosis: """
            diagnosis:
              - id: idle
                type: sql
                target: app_db
                query: "SELECT count(*) AS sessions FROM pg_stat_activity WHERE application_name = 'leaky-app' AND state = 'idle'"
                expect: {sessions: 0}
            """, fix: """
            fix:
              - id: reset
                operation: pool_reset
                when: "idle.sessions > 0"
                target: app_db
                state: idle
                idle_for: 0s
                application_name: "^leaky-app$"
            """, verification: """
              steps:
                - id: idle_gone
                  type: sql
                  target: app_db
                  query: "SELECT count(*) AS sessions FROM pg_stat_activity WHERE application_name = 'leaky-app'"
                  expect: {sessions: 0}
            """)
        let pointed = try EngineHarness(sops: ["data/idle-sessions": sop], configYAML: { Self.config($0) })
        let leaks = try (0..<3).map { _ in try PostgresConnection(conninfo: pointed.url, applicationName: "leaky-app") }
        let bystander = try PostgresConnection(conninfo: pointed.url, applicationName: "other-app")
        for leak in leaks { try leak.query("SELECT 1") }
        let alert = try pointed.fire(type: "pg_idle", title: "Idle sessions piling up")
        // pool_reset is medium risk, whatever the SOP declares: a new SOP (prior 50) asks first.
        let detail = try pointed.approveWhenAsked(alert: alert, reasonContaining: "< 75 for medium-risk pool_reset")
        XCTAssertEqual(detail.summary.status, "success", detail.escalationReason ?? "")
        let fix = try XCTUnwrap(detail.steps.first { $0.phase == .fix })
        XCTAssertEqual(fix.result["details"]?["pids"]?.arrayValue?.count, 3)
        XCTAssertEqual(try bystander.query("SELECT 1 AS one").first?.int("one"), 1, "other sessions are untouched")
        leaks.forEach { $0.close() }
        bystander.close()
    }
}

extension EngineHarness {
    func seedJobs(failed: Int) throws {
        try connection.query("CREATE TABLE IF NOT EXISTS jobs (id serial PRIMARY KEY, status text NOT NULL)")
        for _ in 0..<failed { try connection.query("INSERT INTO jobs (status) VALUES ('failed')") }
    }

    func count(_ sql: String) throws -> Int { try connection.query(sql).first?.int("n") ?? -1 }
}
