import Foundation
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPostgres
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// An incident as it really runs: an alert repeated by its source, approved by a person, a fix that
/// does not hold (a job the retry cannot keep pending, made so by a trigger on the real jobs table),
/// its second attempt, the rollback, a storm alert that joins the run, and the Slack notifications a
/// local server receives; then the postmortem draft of it from the store and from `opsbrain incident export`.
final class IncidentExportTests: XCTestCase {
    private var slack: LocalHTTPServer!

    override func setUpWithError() throws {
        slack = try LocalHTTPServer()
        slack.respond(to: "/slack", with: .init(body: "ok"))
    }

    override func tearDown() { slack.stop() }

    /// The finished incident: the harness, the alert that opened it, its run, and the storm alert.
    private func incident() throws -> (EngineHarness, alert: UUID, run: UUID, storm: UUID) {
        let harness = try EngineHarness(sops: ["data/failed-jobs": EnginePipelineTests.jobsSOP(attempts: 2)],
                                        configYAML: { EnginePipelineTests.config($0) }, mode: .approval)
        try harness.seedJobs(failed: 3)
        try harness.connection.query("""
            CREATE FUNCTION keep_failing() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.id = 1 THEN NEW.status := 'failed'; END IF; RETURN NEW; END $$
            """)
        try harness.connection.query("CREATE TRIGGER keep_failing BEFORE UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION keep_failing()")
        let firing = IncomingAlert(source: "test", alertType: "jobs_failed", title: "3 jobs failed", severity: .high, labels: ["queue": "mail"],
                                   evidence: .object([:]), fingerprint: "jobs-" + UUID().uuidString, state: .firing)
        for _ in 0..<2 { try IntakeRepository(connection: harness.connection).ingest([firing]) }
        let alert = try XCTUnwrap(harness.connection.query("SELECT id FROM intelligence_alerts WHERE fingerprint = $1",
                                                           [firing.fingerprint]).first?.uuid("id"))
        let waiting = try harness.runUntil(alert: alert, ["awaiting_approval"])
        let storm = try harness.fire(type: "jobs_failed", title: "jobs failed on worker 2")
        try harness.runUntil(count: "SELECT count(*) AS n FROM intelligence_alerts WHERE correlated_execution_id IS NOT NULL") { $0 == 1 }
        try ApprovalRepository(connection: harness.connection).decide(waiting.summary.id, approve: true,
                                                                      approver: Approver(name: "ana", address: "10.0.0.5"), reason: nil)
        let done = try harness.runUntil(alert: alert, ["escalated", "success", "failed"])
        XCTAssertEqual(done.summary.status, "escalated", done.escalationReason ?? "")
        XCTAssertEqual(done.attempts, 2, "job 1 kept failing, so the fix ran again: \(done.escalationReason ?? "")")
        let settings = NotificationSettings(slack: .init(webhookURLEnv: "SLACK_URL", channel: "#ops"))
        let notifier = NotifierWorker(conninfo: harness.url, settings: settings,
                                      channels: NotifyRunners.channels(settings, environment: ["SLACK_URL": slack.baseURL + "/slack"]),
                                      workerID: "w1", jitter: { 0 })
        XCTAssertGreaterThan(try notifier.drain(harness.connection), 0)
        return (harness, alert, waiting.summary.id, storm)
    }

    func testAnIncidentWithARetryAndARollbackIsReadWholeAndExportedInBothFormats() throws {
        let (harness, alert, run, storm) = try incident()
        let incidents = IncidentRepository(connection: harness.connection)
        let timeline = try XCTUnwrap(try incidents.timeline(for: .alert(alert)))
        XCTAssertEqual(try incidents.timeline(for: .execution(run)), timeline, "the run and its alert name the same incident")
        XCTAssertEqual(try incidents.timeline(for: .alert(storm)), timeline, "so does the storm alert that joined the run")
        XCTAssertEqual(try incidents.resolve(String(run.uuidString.lowercased().prefix(8))), .execution(run))

        XCTAssertEqual(timeline.alerts.map(\.id), [alert, storm])
        XCTAssertEqual(timeline.alerts.map(\.count), [2, 1], "the repeat was deduplicated into the first alert's row")
        XCTAssertEqual(timeline.alerts[1].joinedExecutionID, run)
        let execution = try XCTUnwrap(timeline.executions.first)
        XCTAssertEqual(timeline.executions.count, 1)
        XCTAssertEqual([execution.status.rawValue, execution.sopLabel], ["escalated", "failed-jobs v1"])
        let fixes = execution.steps.filter { $0.phase == .fix }
        XCTAssertEqual(fixes.map(\.attempt), [1, 2])
        XCTAssertEqual(Set(execution.steps.filter { $0.phase == .rollback }.map(\.attempt)), [1, 2], "both attempts were undone")
        let check = try XCTUnwrap(execution.steps.first { $0.phase == .verification && $0.attempt == 2 })
        XCTAssertEqual(check.evidence, [CheckEvidence(valueName: "failed", value: .number(1), expected: "= 0", holds: false),
                                        CheckEvidence(valueName: "rows", value: .number(1))])
        XCTAssertEqual(execution.approval?.decidedBy, "ana")
        XCTAssertEqual(execution.approval?.decidedFrom, "10.0.0.5")
        XCTAssertEqual(timeline.stages.map(\.stage), [.alert, .diagnosis, .decision, .approval, .fix, .closed])
        XCTAssertEqual(timeline.stages.map(\.at), timeline.stages.map(\.at).sorted(), "each stage comes after the one before")
        XCTAssertTrue(timeline.deliveries.contains { $0.channel == .slack && $0.event == .approvalNeeded && $0.status == .sent })
        XCTAssertTrue(timeline.deliveries.contains { $0.event == .escalation && $0.attempts.first?.httpStatus == 200 })
        let entries = timeline.entries
        XCTAssertEqual(entries.map(\.at), entries.map(\.at).sorted())
        XCTAssertTrue(entries.contains { $0.kind == .audit && $0.text.contains("approval_approved") })

        let config = try TemporaryDirectory.make(prefix: "ob-incident") + "/opsbrain.yaml"
        try EnginePipelineTests.config(harness.url).write(toFile: config, atomically: true, encoding: .utf8)
        let prefix = String(run.uuidString.lowercased().prefix(8))
        let markdown = try export(prefix, format: "markdown", url: harness.url, config: config)
        for expected in ["# Postmortem draft: 3 jobs failed", "## Timeline", "## What ran", "| fix | `retry` | 2 | succeeded |",
                         "| rollback | `retry` | 1 | succeeded |", "failed 1 (expected = 0) ✗", "approved by ana from 10.0.0.5",
                         "## Time to each stage", "| approval decided |", "- `failed-jobs` version 1",
                         "applied its fix 2 times", "joined run \(prefix) (storm)", "slack post #ops (escalation) attempt 1: sent, HTTP 200"] {
            XCTAssertTrue(markdown.contains(expected), "missing '\(expected)' in:\n\(markdown)")
        }
        let json = try JSONValue(parsing: try export(alert.uuidString, format: "json", url: harness.url, config: config))
        let exported = try XCTUnwrap(json["executions"]?.arrayValue?.first)
        XCTAssertEqual(exported["attempts"], .number(2))
        XCTAssertEqual(exported["sop"], .string("failed-jobs"))
        XCTAssertEqual(exported["sop_version"], .number(1))
        XCTAssertEqual(exported["approval"]?["decided_by"], .string("ana"))
        XCTAssertEqual(exported["approval"]?["decided_from"], .string("10.0.0.5"))
        let steps = exported["steps"]?.arrayValue ?? []
        XCTAssertEqual(steps.filter { $0["phase"] == .string("fix") }.map { $0["attempt"] }, [.number(1), .number(2)])
        XCTAssertEqual(steps.filter { $0["phase"] == .string("rollback") }.count, 2)
        XCTAssertEqual(json["stages"]?.arrayValue?.map { $0["stage"]?.stringValue ?? "" },
                       ["alert", "diagnosis", "decision", "approval", "fix", "closed"])
        let approvalStage = try XCTUnwrap(json["stages"]?.arrayValue?.first { $0["stage"] == .string("approval") })
        XCTAssertGreaterThan(approvalStage["seconds_since_alert"]?.doubleValue ?? -1, 0)
        XCTAssertNotNil(exported["started_at"]?.stringValue.flatMap { try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse($0) })
        XCTAssertEqual(json["primary_alert_id"], .string(alert.uuidString.lowercased()))
    }

    func testTheSameFingerprintFiringAgainSoonIsTheSameIncidentAndAMonthLaterAnother() throws {
        let harness = try EngineHarness(sops: ["data/failed-jobs": EnginePipelineTests.jobsSOP()],
                                        configYAML: { EnginePipelineTests.config($0) })
        let intake = IntakeRepository(connection: harness.connection)
        let fingerprint = "jobs-" + UUID().uuidString
        func alert(_ state: IncomingAlert.State) -> IncomingAlert {
            IncomingAlert(source: "test", alertType: "jobs_failed", title: "jobs failed", severity: .high, labels: [:],
                          evidence: .object([:]), fingerprint: fingerprint, state: state)
        }
        func firing() throws -> UUID {
            try XCTUnwrap(harness.connection.query("SELECT id FROM intelligence_alerts WHERE fingerprint = $1 AND status = 'firing'",
                                                   [fingerprint]).first?.uuid("id"))
        }
        try harness.seedJobs(failed: 1)
        try intake.ingest([alert(.firing)])
        let first = try firing()
        XCTAssertEqual(try harness.runUntil(alert: first, ["success", "escalated"]).summary.status, "success")
        try intake.ingest([alert(.resolved)])
        try harness.seedJobs(failed: 1)
        try intake.ingest([alert(.firing)])
        let again = try firing()
        XCTAssertEqual(try harness.runUntil(alert: again, ["awaiting_approval"]).summary.status, "awaiting_approval", "the cooldown holds")

        let incidents = IncidentRepository(connection: harness.connection)
        let timeline = try XCTUnwrap(try incidents.timeline(for: .alert(again)))
        XCTAssertEqual(timeline.alerts.map(\.id), [first, again])
        XCTAssertEqual(timeline.primaryAlert?.id, first)
        XCTAssertEqual(timeline.executions.map(\.status), [.success, .awaitingApproval])
        XCTAssertTrue(timeline.isOpen)
        XCTAssertFalse(timeline.stages.contains { $0.stage == .closed }, "a run still waits")
        XCTAssertTrue(timeline.entries.contains { $0.text == "alert fired again (same fingerprint): \"jobs failed\" (high, jobs_failed from test)" })
        XCTAssertTrue(PostmortemRenderer(timeline).openQuestions.contains("The alert fired again after a run: why did the fix not hold?"))

        try harness.connection.query("""
            UPDATE intelligence_alerts SET created_at = created_at - interval '30 days', last_seen_at = last_seen_at - interval '30 days',
                resolved_at = resolved_at - interval '30 days' WHERE id = $1::uuid
            """, [first])
        let later = try XCTUnwrap(try incidents.timeline(for: .alert(again)))
        XCTAssertEqual(later.alerts.map(\.id), [again], "an occurrence a month before is another incident")
        XCTAssertEqual(later.executions.map(\.status), [.awaitingApproval])
    }

    /// Runs `opsbrain incident export ID --format F --output FILE` and returns the file.
    private func export(_ id: String, format: String, url: String, config: String) throws -> String {
        let file = try TemporaryDirectory.make(prefix: "ob-incident") + "/draft.\(format)"
        let run = try OpsBrainCLI.run(["incident", "export", id, "--format", format, "--output", file, "--database-url", url, "--config", config])
        XCTAssertEqual(run.status, 0, run.output)
        return try String(contentsOfFile: file, encoding: .utf8)
    }
}

/// The built `opsbrain` executable, run to its end.
enum OpsBrainCLI {
    /// Runs `opsbrain arguments` and returns its exit status and what it wrote (both streams).
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try XCTUnwrap(OpsBrainBinary.path(), "build the opsbrain executable first"))
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
