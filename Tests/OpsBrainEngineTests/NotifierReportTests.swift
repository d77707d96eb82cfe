import Foundation
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPostgres
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// The daily report and the weekly learning run against a real PostgreSQL: produced once,
/// stored, posted through the outbox; the LLM (a local server speaking the OpenAI protocol) only
/// adds prose, within its budget, and the report is complete without it.
final class NotifierReportTests: XCTestCase {
    private var connection: PostgresConnection!
    private var url = ""
    private var llm: LocalHTTPServer!
    /// 2026-11-27 07:00 in Berlin.
    private let reportEnd = Date(timeIntervalSince1970: 1_795_759_200)
    private let berlin = TimeZone(identifier: "Europe/Berlin")!

    override func setUpWithError() throws {
        (connection, url) = try TestPostgres.migratedConnection()
        llm = try LocalHTTPServer()
        try NotifierReportSeed(connection: connection, end: reportEnd).seedNight()
    }

    override func tearDown() {
        llm.stop()
        connection.close()
    }

    private func settings(llm enabled: Bool = false, budget: Double? = nil) -> OperationsSettings {
        OperationsSettings(
            notifications: NotificationSettings(slack: .init(webhookURLEnv: "SLACK_URL", channel: "#ops")),
            llm: LLMSettings(enabled: enabled, baseURL: llm.baseURL, model: "gpt-4o-mini", maxRetries: 0,
                             inputPricePerMillion: 150, outputPricePerMillion: 600, monthlyBudgetUSD: budget),
            report: ReportSettings(dailyHour: 7, dailyMinute: 0, timeZone: "Europe/Berlin"))
    }

    private func assistant(_ settings: OperationsSettings) -> SchedulerAssistant {
        SchedulerAssistant(model: NotifyRunners.languageModel(settings.llm, environment: [:]), settings: settings.llm,
                           connection: connection, now: { self.reportEnd })
    }

    private func usage() throws -> [(outcome: String, tokens: Int, note: String?)] {
        try connection.query("SELECT outcome, prompt_tokens + completion_tokens AS tokens, note FROM opsbrain_llm_usage ORDER BY id").rows.map {
            ($0.string("outcome") ?? "", $0.int("tokens") ?? 0, $0.string("note"))
        }
    }

    func testReportIsProducedOnceStoredAndPostedToSlack() throws {
        let settings = settings()
        let job = SchedulerReportJob(settings: settings, timeZone: berlin, producer: "engine-a")
        XCTAssertNil(try job.runIfDue(connection, now: reportEnd.addingTimeInterval(-60), assistant: nil), "not before 07:00")
        let report = try XCTUnwrap(try job.runIfDue(connection, now: reportEnd.addingTimeInterval(120), assistant: assistant(settings)))
        XCTAssertEqual(report.reportDate, "2026-11-27")
        XCTAssertEqual(report.stats.issuesDetected, 3)
        XCTAssertEqual(report.stats.autoFixed, 1)
        XCTAssertEqual(report.stats.escalated, 1)
        XCTAssertEqual(report.fixes.map(\.actions), ["Reconnected the pool, verified"])
        XCTAssertEqual(report.escalations.first?.action, "Top up the Twilio balance")
        XCTAssertEqual(report.approvals.count, 1)
        XCTAssertEqual(report.predictions.first?.message, "TLS certificate app.example.com expires in 9 days")
        XCTAssertEqual(report.costs.map(\.name), ["OpenAI"])
        XCTAssertNil(report.prose)
        XCTAssertEqual(report.notes, [], "the LLM is off: nothing to say about it")
        let other = SchedulerReportJob(settings: settings, timeZone: berlin, producer: "engine-b")
        XCTAssertNil(try other.runIfDue(connection, now: reportEnd.addingTimeInterval(600), assistant: nil), "once a day")
        let stored = try XCTUnwrap(try ReportRepository(connection: connection).load(reportDate: "2026-11-27"))
        XCTAssertEqual(stored.producedBy, "engine-a")
        XCTAssertEqual(stored.text, DailyReportRenderer(report).text())
        XCTAssertTrue(stored.text.contains("⚠️ ESCALATED (Needs Human)\n1. 05:18 — Twilio balance < $50"), stored.text)
        XCTAssertTrue(try usage().isEmpty)

        let slack = try LocalHTTPServer()
        defer { slack.stop() }
        slack.respond(to: "/hook", with: .init(body: "ok"))
        let worker = NotifierWorker(conninfo: url, settings: settings.notifications,
                                    channels: NotifyRunners.channels(settings.notifications, environment: ["SLACK_URL": slack.baseURL + "/hook"]),
                                    workerID: "w")
        XCTAssertEqual(try worker.drain(connection), 1)
        let posted = try JSONValue(parsing: try XCTUnwrap(slack.requests.first).bodyText)
        XCTAssertEqual(posted["blocks"]?.arrayValue?.first?["text"]?["text"], .string("🤖 Ops Brain daily report — 2026-11-27"))
        XCTAssertEqual(posted["channel"], .string("#ops"))
    }

    func testRacingSchedulersProduceOneReport() throws {
        let group = DispatchGroup()
        let produced = ErrorBox()
        for name in ["a", "b", "c"] {
            let url = self.url, end = reportEnd, berlin = self.berlin, settings = settings()
            group.enter()
            DispatchQueue.global().async {
                defer { group.leave() }
                guard let link = try? PostgresConnection(conninfo: url) else { return }
                defer { link.close() }
                let job = SchedulerReportJob(settings: settings, timeZone: berlin, producer: name)
                if (try? job.runIfDue(link, now: end.addingTimeInterval(60), assistant: nil)) as? DailyReport != nil {
                    produced.add(Produced(name: name))
                }
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(produced.all.count, 1)
        XCTAssertEqual(try connection.query("SELECT count(*) AS n FROM opsbrain_daily_reports").first?.int("n"), 1)
        XCTAssertEqual(try connection.query("SELECT count(*) AS n FROM opsbrain_notifications WHERE kind = 'daily_report'").first?.int("n"), 1)
    }

    func testLLMProseIsAddedAndAccounted() throws {
        llm.respond(to: "/v1/chat/completions", with: Self.completion(#"{"summary":"☕ Quiet night: 1 fix, 1 escalation (Twilio balance)."}"#))
        let settings = settings(llm: true, budget: 20)
        let job = SchedulerReportJob(settings: settings, timeZone: berlin, producer: "engine-a")
        let report = try job.build(connection, from: reportEnd.addingTimeInterval(-86_400), to: reportEnd, reportDate: "2026-11-27",
                                   assistant: assistant(settings))
        XCTAssertEqual(report.prose, "☕ Quiet night: 1 fix, 1 escalation (Twilio balance).")
        XCTAssertTrue(DailyReportRenderer(report).text().contains("/100\n\n☕ Quiet night: 1 fix, 1 escalation (Twilio balance).\n"))
        XCTAssertEqual(try usage().map(\.outcome), ["ok"])
        XCTAssertEqual(try usage().first?.tokens, 1_100)
        let spent = try LLMUsageRepository(connection: connection).spent(month: "2026-11")
        XCTAssertEqual(spent.costUSD, (1_000 * 150 + 100 * 600) / 1_000_000, accuracy: 1e-6)
        let prompt = try JSONValue(parsing: try XCTUnwrap(llm.requests.first).bodyText)
        XCTAssertTrue(prompt.jsonText.contains("Issues detected: 3"), "the seed's report prompt, with the numbers")
    }

    func testSpentBudgetSkipsTheLLMWithAVisibleNote() throws {
        llm.respond(to: "/v1/chat/completions", with: Self.completion(#"{"summary":"never asked"}"#))
        try LLMUsageRepository(connection: connection).record(month: "2026-11", purpose: .report, model: "gpt-4o-mini", outcome: "ok",
                                                              usage: LLMUsage(promptTokens: 0, completionTokens: 0), costUSD: 5, note: nil)
        let settings = settings(llm: true, budget: 5)
        let report = try SchedulerReportJob(settings: settings, timeZone: berlin, producer: "a")
            .build(connection, from: reportEnd.addingTimeInterval(-86_400), to: reportEnd, reportDate: "2026-11-27", assistant: assistant(settings))
        XCTAssertNil(report.prose)
        XCTAssertEqual(report.notes, ["LLM skipped for report: monthly budget of $5.00 reached ($5.00 spent)"])
        XCTAssertTrue(DailyReportRenderer(report).text().contains("ℹ️ LLM skipped for report: monthly budget of $5.00 reached"))
        XCTAssertTrue(llm.requests.isEmpty, "no call once the budget is spent")
        XCTAssertEqual(try usage().map(\.outcome), ["ok", "skipped"])
        XCTAssertEqual(report.costs.last?.note, "1 calls, 0 tokens this month; budget of $5.00 reached: assist skipped")
    }

    func testQuotaExhaustionIsRecordedOnceAndTheReportStillComplete() throws {
        llm.respond(to: "/v1/chat/completions", with: LocalHTTPServer.Response(
            status: 429, body: #"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"#))
        let settings = settings(llm: true, budget: 20)
        let report = try SchedulerReportJob(settings: settings, timeZone: berlin, producer: "a")
            .build(connection, from: reportEnd.addingTimeInterval(-86_400), to: reportEnd, reportDate: "2026-11-27", assistant: assistant(settings))
        XCTAssertEqual(llm.requests.count, 1)
        XCTAssertEqual(report.notes, ["LLM report unavailable: insufficient_quota: You exceeded your current quota"])
        XCTAssertEqual(report.stats.autoFixed, 1)
        XCTAssertEqual(try usage().map(\.outcome), ["failed"])
    }

    func testWeeklyLearningStoresSuggestionsOnceWithLLMNotes() throws {
        try NotifierReportSeed(connection: connection, end: reportEnd).seedFailures()
        llm.respond(to: "/v1/chat/completions", with: Self.completion(
            #"{"notes":[{"id":"pool-reset:failing_step:reset_pool","note":"Check pg_stat_activity for long transactions first."}]}"#))
        let settings = OperationsSettings(llm: LLMSettings(enabled: true, baseURL: llm.baseURL, maxRetries: 0),
                                          report: ReportSettings(timeZone: "Europe/Berlin", learningWeekday: 5))
        let job = SchedulerLearningJob(settings: settings, timeZone: berlin, runner: "engine-a")
        XCTAssertNil(try job.runIfDue(connection, now: reportEnd.addingTimeInterval(-3600), assistant: assistant(settings)))
        let new = try job.runIfDue(connection, now: reportEnd.addingTimeInterval(60), assistant: assistant(settings))
        XCTAssertEqual(new, 2)
        XCTAssertNil(try job.runIfDue(connection, now: reportEnd.addingTimeInterval(7200), assistant: assistant(settings)), "once a week")
        let stored = try SuggestionRepository(connection: connection).list()
        XCTAssertEqual(Set(stored.map(\.suggestion.kind)), [.failingStep, .repeatedFailure])
        XCTAssertEqual(stored.first { $0.suggestion.kind == .failingStep }?.suggestion.llmNote, "Check pg_stat_activity for long transactions first.")
        XCTAssertEqual(stored.first?.period, "2026-W48")
        let reviewed = try SuggestionRepository(connection: connection)
            .review(String(stored[0].id.uuidString.prefix(8)), accept: true, reviewer: "ana", note: "will add a check")
        XCTAssertEqual(reviewed.status, "accepted")
        XCTAssertEqual(try SuggestionRepository(connection: connection).list().count, 1)
        XCTAssertThrowsError(try SuggestionRepository(connection: connection).review(String(stored[0].id.uuidString.prefix(8)), accept: false,
                                                                                     reviewer: "bo", note: nil)) { error in
            XCTAssertTrue("\(error)".contains("already accepted"), "\(error)")
        }
    }

    static func completion(_ content: String) -> LocalHTTPServer.Response {
        .json(JSONValue.object([
            "model": .string("gpt-4o-mini"),
            "choices": .array([.object(["index": .number(0), "finish_reason": .string("stop"),
                                        "message": .object(["role": .string("assistant"), "content": .string(content)])])]),
            "usage": .object(["prompt_tokens": .number(1_000), "completion_tokens": .number(100)]),
        ]).jsonText)
    }
}

/// A report one racing scheduler produced, counted in an `ErrorBox`.
struct Produced: Error {
    let name: String
}

/// LLM advice for people: a diagnosis summary and a tie-break between SOPs, never a decision.
final class NotifierAdviceTests: XCTestCase {
    func testDiagnosisSummaryAsksWithTheStoredResults() throws {
        let (connection, _) = try TestPostgres.migratedConnection()
        defer { connection.close() }
        let llm = try LocalHTTPServer()
        defer { llm.stop() }
        llm.respond(to: "/v1/chat/completions", with: NotifierReportTests.completion(
            #"{"root_cause":"the pool is exhausted","confidence":80,"evidence":["idle=0"],"recommended_fix":"reset the pool"}"#))
        let id = try ExecutionRepository(connection: connection).openExecutionRow(alertID: nil, sop: nil, match: nil, mode: .auto,
                                                                                 maxAttempts: 1, dryRun: false, in: connection)
        try connection.query("UPDATE self_healing_executions SET diagnosis_results = $2::jsonb WHERE id = $1::uuid",
                             [id, JSONValue.object(["steps": .object(["pool": .object(["verdict": .string("failed")])])])])
        let settings = LLMSettings(enabled: true, baseURL: llm.baseURL, maxRetries: 0, purposes: [.diagnosis, .matching])
        let assistant = SchedulerAssistant(model: NotifyRunners.languageModel(settings, environment: [:]), settings: settings,
                                           connection: connection)
        guard case .answer(let answer) = try assistant.diagnosisSummary(executionID: id) else { return XCTFail("no answer") }
        XCTAssertEqual(answer.value["recommended_fix"], .string("reset the pool"))
        XCTAssertTrue(try XCTUnwrap(llm.requests.first).bodyText.contains(#"\"verdict\":\"failed\""#))

        llm.respond(to: "/v1/chat/completions", with: NotifierReportTests.completion(#"{"sop_name":"none","confidence":10,"reasoning":"no fit"}"#))
        let sops = ["a", "b"].map {
            SOPDefinition(name: $0, category: "c", agent: .infra, description: "d", severity: .high, risk: .low, trigger: TriggerRule(), diagnosis: [])
        }
        guard case .unavailable(let note) = assistant.matchAdvice(alert: AlertSnapshot(alertType: "t", title: "x"), candidates: sops) else {
            return XCTFail("'none' is no advice")
        }
        XCTAssertEqual(note, "the LLM found no fitting SOP")
        let off = SchedulerAssistant(model: nil, settings: LLMSettings(), connection: connection)
        guard case .unavailable(nil) = off.matchAdvice(alert: AlertSnapshot(alertType: "t", title: "x"), candidates: sops) else {
            return XCTFail("off by default, silently")
        }
        XCTAssertEqual(llm.requests.count, 2)
    }
}
