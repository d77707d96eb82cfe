import Foundation
@testable import OpsBrainCore
import XCTest

/// The daily report as text, Markdown and Slack blocks, from fixed data (golden output).
final class ReportRendererTests: XCTestCase {
    func testTextMatchesTheGolden() {
        let text = DailyReportRenderer(ReportFixtures.report).text()
        XCTAssertEqual(text, Self.goldenText + "\n", "got:\n\(text)")
    }

    func testMarkdownMatchesTheGolden() {
        let markdown = DailyReportRenderer(ReportFixtures.report).markdown()
        XCTAssertEqual(markdown, Self.goldenMarkdown + "\n", "got:\n\(markdown)")
    }

    static let goldenText = """
        🤖 OPS BRAIN DAILY REPORT — 2026-11-27
        ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━

        ✅ SYSTEM HEALTH: 92/100

        📊 LAST 24 HOURS
        ┌────────────────┬───────┐
        │ Issues detected│ 7     │
        │ Auto-fixed     │ 3     │
        │ Escalated      │ 1     │
        │ Fix success    │ 100%  │
        │ Avg fix time   │ 1m 48s│
        └────────────────┴───────┘

        🔧 FIXES APPLIED
        1. 02:34 — Database connection dropped
           → Reconnected, verified ✅

        2. 04:12 — OpenAI rate limited
           → Switched to backup key, verified ✅

        3. 06:45 — Lead sync stuck (3 leads)
           → Cleared queue; re-synced, verified ✅

        ⚠️ ESCALATED (Needs Human)
        1. 05:20 — Twilio balance < $50
           → Can't auto-fix billing
           → ACTION: Top up Twilio account

        💰 COST WATCH
        - OpenAI: $12.34 (normal)
        - Twilio: $8.21 (spike: 2.7× usual)

        🔮 PREDICTED ISSUES
        - Database storage at 74%, reaches 80% in ~4 days at the current rate
        - TLS certificate app.example.com expires in 12 days

        ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
        1 item(s) need a human — see above.
        """

    static let goldenMarkdown = #"""
        # 🤖 Ops Brain daily report — 2026-11-27

        **✅ System health: 92/100**

        ## 📊 Last 24 hours

        | | |
        |---|---:|
        | Issues detected | 7 |
        | Auto-fixed | 3 |
        | Escalated | 1 |
        | Fix success | 100% |
        | Avg fix time | 1m 48s |

        ## 🔧 Fixes applied

        1. **02:34** — Database connection dropped → Reconnected, verified ✅
        2. **04:12** — OpenAI rate limited → Switched to backup key, verified ✅
        3. **06:45** — Lead sync stuck (3 leads) → Cleared queue; re-synced, verified ✅

        ## ⚠️ Escalated (needs a human)

        1. **05:20** — Twilio balance \< $50 — Can't auto-fix billing. **Action:** Top up Twilio account

        ## 💰 Cost watch

        - OpenAI: $12.34 (normal)
        - Twilio: $8.21 (spike: 2.7× usual)

        ## 🔮 Predicted issues

        - Database storage at 74%, reaches 80% in ~4 days at the current rate
        - TLS certificate app.example.com expires in 12 days

        ---

        1 item(s) need a human — see above.
        """#
}

/// Report pieces beyond the golden night: quiet nights, approvals, notes, Slack blocks.
final class ReportRendererDetailTests: XCTestCase {
    func testAQuietNightNeedsNoAction() {
        let facts = ReportFacts(windowStart: ReportFixtures.start, windowEnd: ReportFixtures.end)
        let report = DailyReportBuilder(settings: ReportSettings(), timeZone: ReportFixtures.zone).build(facts, reportDate: "2026-11-27")
        XCTAssertEqual(report.healthScore, 100)
        let text = DailyReportRenderer(report).text()
        XCTAssertTrue(text.contains("│ Fix success    │ —     │"), text)
        XCTAssertTrue(text.contains("No action needed. Have a good day! ☕"), text)
        XCTAssertTrue(text.contains("🔮 PREDICTED ISSUES\nNothing predicted."), text)
    }

    func testAFixAPersonApprovedIsNeverCountedAsAutoFixed() {
        var approved = ReportFixtures.fixed(8, "App down", at: 3, 10, ms: 60_000, fixes: ["Restarted the app"])
        approved.approvedBy = "ana"
        let facts = ReportFacts(windowStart: ReportFixtures.start, windowEnd: ReportFixtures.end, alertsDetected: 2,
                                executions: [ReportFixtures.fixed(7, "Temp full", at: 2, 0, ms: 30_000, fixes: ["Cleaned"]), approved])
        let report = DailyReportBuilder(settings: ReportSettings(), timeZone: ReportFixtures.zone).build(facts, reportDate: "2026-11-27")
        XCTAssertEqual(report.stats.autoFixed, 1, "seen: 'Auto-fixed 7' when 6 were approved by a person")
        XCTAssertEqual(report.stats.fixedWithApproval, 1)
        let rows = DailyReportRenderer(report).statRows
        XCTAssertTrue(rows.contains { $0 == ("Auto-fixed", "1") } && rows.contains { $0 == ("Fixed with approval", "1") }, "\(rows)")
    }

    func testApprovalsAndNotesAreShownAndLowerTheScore() {
        var facts = ReportFixtures.facts
        facts.awaitingApproval = [ExecutionFact(id: ReportFixtures.id(9), status: .awaitingApproval, sopName: "disk-filling",
                                                title: "Disk 91% full", startedAt: ReportFixtures.at(6, 50))]
        facts.failedNotifications = 2
        var report = DailyReportBuilder(settings: ReportSettings(), timeZone: ReportFixtures.zone).build(facts, reportDate: "2026-11-27")
        report.notes = ["LLM skipped for report: monthly budget of $5.00 reached ($5.00 spent)"]
        XCTAssertEqual(report.healthScore, 92 - 3 - 2)
        let text = DailyReportRenderer(report).text()
        XCTAssertTrue(text.contains("🙋 AWAITING APPROVAL\n1. 06:50 — Disk 91% full\n   → ACTION: Approve or reject: opsbrain approve 00000009"), text)
        XCTAssertTrue(text.contains("ℹ️ LLM skipped for report: monthly budget of $5.00 reached"), text)
        XCTAssertTrue(text.contains("📣 2 notification(s) could not be delivered"), text)
        XCTAssertTrue(text.hasSuffix("2 item(s) need a human — see above.\n"), text)
    }

    func testLLMLineShowsSpendAgainstBudget() {
        var facts = ReportFixtures.facts
        facts.llm = LLMMonthUsage(month: "2026-11", costUSD: 5, tokens: 90_000, calls: 40, skipped: 3, budgetUSD: 5, tokenBudget: nil)
        let report = DailyReportBuilder(settings: ReportSettings(), timeZone: ReportFixtures.zone).build(facts, reportDate: "2026-11-27")
        XCTAssertEqual(report.costs.last?.name, "LLM assist")
        XCTAssertEqual(report.costs.last?.note, "40 calls, 90000 tokens this month; budget of $5.00 reached: assist skipped; 3 calls skipped")
    }

    func testSlackReportKeepsWithinBlockKitLimits() throws {
        var facts = ReportFixtures.facts
        facts.executions += (10..<90).map { ReportFixtures.fixed($0, String(repeating: "Very long title ", count: 30), at: 3, 0, ms: 1000, fixes: ["x"]) }
        let report = DailyReportBuilder(settings: ReportSettings(), timeZone: ReportFixtures.zone).build(facts, reportDate: "2026-11-27")
        let payload = SlackMessageRenderer.payload(for: report, channel: "#ops")
        let blocks = try XCTUnwrap(payload["blocks"]?.arrayValue)
        XCTAssertLessThanOrEqual(blocks.count, SlackBlocks.maxBlocks)
        for block in blocks {
            if let text = block["text"]?["text"]?.stringValue {
                XCTAssertLessThanOrEqual(text.count, block["type"] == .string("header") ? 150 : 3000)
            }
            XCTAssertLessThanOrEqual(block["fields"]?.arrayValue?.count ?? 0, 10)
        }
        XCTAssertEqual(payload["channel"], .string("#ops"))
        XCTAssertTrue(payload["text"]?.stringValue?.hasPrefix("Ops Brain daily report 2026-11-27: health") == true)
        XCTAssertTrue(payload.jsonText.contains("Twilio balance &lt; $50"), "mrkdwn must escape <")
    }

    func testSlackEventMessageCarriesTheActionAndCutsTheHeader() throws {
        let event = NotificationEvent(kind: .escalation, executionID: ReportFixtures.id(4), sopName: "twilio-balance-low", severity: .critical,
                                      title: String(repeating: "T", count: 400), summary: "Can't auto-fix billing <now>",
                                      actionNeeded: "Top up Twilio & retry", facts: [.init("Confidence", "40/100")],
                                      occurredAt: ReportFixtures.end)
        let payload = SlackMessageRenderer.payload(for: event, channel: nil)
        let blocks = try XCTUnwrap(payload["blocks"]?.arrayValue)
        XCTAssertEqual(blocks[0]["text"]?["text"]?.stringValue?.count, 150)
        XCTAssertTrue(payload.jsonText.contains("*Action needed:* Top up Twilio &amp; retry"), payload.jsonText)
        XCTAssertTrue(payload.jsonText.contains("Can't auto-fix billing &lt;now&gt;"))
        XCTAssertTrue(payload.jsonText.contains("`00000004`"))
        XCTAssertNil(payload["channel"])
    }

    func testEventsRoundTripThroughTheirStoredForm() throws {
        let event = NotificationEvent(kind: .dailyReport, severity: .info, title: "r", summary: "s", occurredAt: ReportFixtures.end,
                                      report: ReportFixtures.report)
        XCTAssertEqual(try NotificationEvent.decode(try event.encoded()), event)
        XCTAssertEqual(event.dedupKey, "daily_report:2026-11-27")
    }
}
