import Foundation
import OpsBrainConsole
import OpsBrainCore
import OpsBrainPostgres
import XCTest

/// Golden screens from the pure renderer: several sizes, every view, overlays, wide text and ASCII.
final class GoldenScreenTests: XCTestCase {
    private let unicode = ScreenRenderer(glyphs: .unicode, formatting: ConsoleFixtures.formatting)
    private let ascii = ScreenRenderer(glyphs: .ascii, formatting: ConsoleFixtures.formatting)

    func testAlertsAt120x30() {
        GoldenFile.check(unicode.render(ConsoleFixtures.state(.alerts, width: 120, height: 30)), named: "alerts-120x30")
    }

    func testAlertsAt80x24() {
        GoldenFile.check(unicode.render(ConsoleFixtures.state(.alerts, width: 80, height: 24)), named: "alerts-80x24")
    }

    func testNarrowAlertsDropColumns() {
        let grid = unicode.render(ConsoleFixtures.state(.alerts, width: 52, height: 16))
        GoldenFile.check(grid, named: "alerts-52x16-narrow")
        let header = grid.line(3)
        XCTAssertTrue(header.contains("SEV") && header.contains("TITLE"), "the essential columns stay: \(header)")
        XCTAssertFalse(header.contains("SOURCE"), "low-priority columns are dropped when narrow: \(header)")
    }

    func testTooSmallScreenSaysWhatItNeeds() {
        let grid = unicode.render(ConsoleFixtures.state(.alerts, width: 40, height: 10))
        GoldenFile.check(grid, named: "too-small-40x10")
        XCTAssertTrue(grid.text.contains("terminal too small: need 50x12"))
    }

    func testWideCJKTextKeepsColumnsAligned() {
        let grid = unicode.render(ConsoleFixtures.state(.alerts, width: 100, height: 24, cjk: true))
        GoldenFile.check(grid, named: "alerts-cjk-100x24")
        for y in 4...6 {
            let line = grid.line(y)
            XCTAssertEqual(TextWidth.of(line), 100, "row \(y) ends at the frame's right edge: \(line)")
            XCTAssertTrue(line.hasSuffix("│"))
        }
    }

    func testASCIIFallbackHasNoNonASCIICharacters() {
        let grid = ascii.render(ConsoleFixtures.state(.alerts, width: 100, height: 24, cjk: true))
        GoldenFile.check(grid, named: "alerts-ascii-100x24")
        XCTAssertTrue(grid.text.unicodeScalars.allSatisfy { $0.value < 0x80 }, "ASCII mode draws only ASCII")
    }

    func testExecutionsWithPipelineDetail() {
        let grid = unicode.render(ConsoleFixtures.state(.executions, width: 120, height: 40))
        GoldenFile.check(grid, named: "runs-120x40")
        XCTAssertTrue(grid.text.contains("[approval]"), "the current pipeline stage is marked")
        XCTAssertTrue(grid.text.contains("delete 65 files older than 1d"), "the operations are shown as they would run")
    }

    func testASuccessSaysWhetherAPersonApprovedIt() {
        let text = { (approvedBy: String?) -> String in
            var state = ConsoleFixtures.state(.executions, width: 120, height: 40)
            state.executionDetail?.execution.status = "success"
            state.executionDetail?.execution.approvedBy = approvedBy
            return self.unicode.render(state).text
        }
        XCTAssertTrue(text(nil).contains("auto-fixed"), text(nil))
        XCTAssertTrue(text("ana").contains("fixed with approval by ana"), text("ana"))
        XCTAssertFalse(text("ana").contains("auto-fixed"), "seen: fixes a person approved were reported as auto-fixed")
    }

    func testSideBySideDetailWhenWide() {
        let grid = unicode.render(ConsoleFixtures.state(.executions, width: 200, height: 60))
        GoldenFile.check(grid, named: "runs-200x60")
    }

    func testApprovalsWithEvidenceAndPlans() {
        GoldenFile.check(unicode.render(ConsoleFixtures.state(.approvals, width: 100, height: 34)), named: "approvals-100x34")
    }

    func testTheDecisionScreenShowsEachCheckWhyAndWhatCanBeUndone() {
        var state = ConsoleFixtures.state(.approvals, width: 100, height: 40)
        state.detailZoomed = true
        let grid = unicode.render(state)
        GoldenFile.check(grid, named: "approval-decision-100x40")
        let text = grid.text
        XCTAssertTrue(text.contains("used_percent 97  expected ≤ 90  ✗"), "the value next to its threshold, not raw JSON\n\(text)")
        XCTAssertTrue(text.contains("Why asked"), text)
        XCTAssertTrue(text.contains("[can be rolled back]") && text.contains("[cannot be undone]"), text)
        XCTAssertTrue(text.contains("new file"), "the whole plan, wrapped, never cut to one line\n\(text)")
    }

    func testTheRunbookPaneShowsTheSOPsText() {
        var state = ConsoleFixtures.state(.executions, width: 120, height: 40)
        XCTAssertEqual(ConsoleController().handle(.char("r"), state: &state), [.loadRunbook("disk-filling")])
        state.runbook = ConsoleRunbook(sopName: "disk-filling", version: 3, text: """
            # Disk filling

            ## Escalate If
            - /var stays above 95% after cleanup: page the storage on-call.
            """)
        let grid = unicode.render(state)
        GoldenFile.check(grid, named: "runbook-120x40")
        XCTAssertTrue(grid.text.contains("page the storage on-call"))
        _ = ConsoleController().handle(.char("r"), state: &state)
        XCTAssertFalse(unicode.render(state).text.contains("page the storage on-call"), "r again hides it")
    }

    func testAnEscalationSaysWhatToDoAndWhoWasTold() {
        var state = ConsoleFixtures.state(.executions, width: 120, height: 40)
        state.executions.select(index: 3, visibleRows: 10)
        var detail = ConsoleExecutionDetail(execution: state.executions.items[3], escalationReason: "p95 still above 800 ms after 2 attempts",
                                            humanAction: "check the search cluster's slow log; scale out if the queue grows",
                                            deliveries: [
                                                DeliveryRecord(id: 2, kind: "escalation", title: "latency", channel: "pagerduty",
                                                               action: "trigger", destination: nil, status: "sent", attempts: 1,
                                                               createdAt: ConsoleFixtures.ago(30), executionID: nil),
                                                DeliveryRecord(id: 1, kind: "escalation", title: "latency", channel: "slack",
                                                               action: "post", destination: "#ops-alerts", status: "failed", attempts: 8,
                                                               lastError: "HTTP 404 channel_not_found", createdAt: ConsoleFixtures.ago(31),
                                                               executionID: nil),
                                            ])
        detail.execution.status = "escalated"
        state.executionDetail = detail
        let grid = unicode.render(state)
        GoldenFile.check(grid, named: "runs-escalated-120x40")
        XCTAssertTrue(grid.text.contains("For you"), grid.text)
        XCTAssertTrue(grid.text.contains("pagerduty"), grid.text)
        XCTAssertTrue(grid.text.contains("slack #ops-alerts"), grid.text)
    }

    func testTheIncidentViewShowsStagesAndEveryEntryAcrossAttempts() {
        var state = ConsoleFixtures.state(.executions, width: 120, height: 34)
        _ = ConsoleController().handle(.char("i"), state: &state)
        state.incident.timeline = ConsoleFixtures.incident
        let grid = unicode.render(state)
        GoldenFile.check(grid, named: "incident-120x34")
        XCTAssertTrue(grid.text.contains("approval decided"), grid.text)
        XCTAssertTrue(grid.text.contains("permission denied"), "the failed first attempt is in the timeline\n\(grid.text)")
        XCTAssertTrue(grid.text.contains("deleted 65 files"), grid.text)
    }

    func testAlertsGroupedBySOPWithInstancesUnderIt() {
        var state = ConsoleFixtures.state(.alerts, width: 110, height: 24)
        _ = ConsoleController().handle(.char("="), state: &state)
        _ = ConsoleController().handle(.char("="), state: &state)
        XCTAssertEqual(state.alertGrouping, .sop)
        state.alertGroups.replace(with: [
            ConsoleAlertGroup(name: "service-down", total: 1, firing: 1, joinedStorm: 0, worstSeverity: "high", latest: ConsoleFixtures.ago(40)),
            ConsoleAlertGroup(name: "service-down", instance: "api-2", total: 14, firing: 14, joinedStorm: 13, worstSeverity: "critical",
                              latest: ConsoleFixtures.ago(20)),
            ConsoleAlertGroup(name: "service-down", instance: "api-3", total: 2, firing: 0, joinedStorm: 1, worstSeverity: "high",
                              latest: ConsoleFixtures.ago(900)),
            ConsoleAlertGroup(name: "disk-filling", total: 3, firing: 1, joinedStorm: 0, worstSeverity: "medium", latest: ConsoleFixtures.ago(300)),
        ], visibleRows: 10)
        let grid = unicode.render(state)
        GoldenFile.check(grid, named: "alerts-grouped-110x24")
        XCTAssertTrue(grid.text.contains("Alert groups 4 ─ grouped by sop"), grid.text)
        XCTAssertEqual(ConsoleController().handle(.enter, state: &state), [.reload(.executions)], "Enter opens the SOP's runs")
        XCTAssertEqual(state.filters[.executions]?.pattern, "^\\S+ service-down ", "the SOP field exactly: the run's status, then its SOP")
    }

    func testApproveDialogShowsTheTargetWithCancelFocused() {
        var state = ConsoleFixtures.state(.approvals, width: 100, height: 34)
        _ = ConsoleController().handle(.char("A"), state: &state)
        let grid = unicode.render(state)
        GoldenFile.check(grid, named: "approve-dialog-100x34")
        XCTAssertTrue(grid.text.contains(ConsoleFixtures.id(200).uuidString.lowercased()))
        let cancel = grid.text.split(separator: "\n").firstIndex { $0.contains("[ Cancel ]") }!
        let x = grid.line(cancel).distance(from: grid.line(cancel).startIndex, to: grid.line(cancel).range(of: "[ Cancel ]")!.lowerBound)
        XCTAssertEqual(grid[TextWidth.of(String(grid.line(cancel).prefix(x))), cancel].role, .dialogButtonFocus)
    }

    func testAHighRiskApprovalAsksForTheTypedWord() {
        var state = ConsoleFixtures.state(.approvals, width: 100, height: 34)
        _ = ConsoleController().handle(.down, state: &state)
        _ = ConsoleController().handle(.char("A"), state: &state)
        _ = ConsoleController().handle(.char("c"), state: &state)
        let grid = unicode.render(state)
        GoldenFile.check(grid, named: "approve-high-risk-100x34")
        XCTAssertTrue(grid.text.contains("Type 'cache-stale' or 'approve': c_"), grid.text)
    }

    func testReadOnlyBadgeAndPausedBadge() {
        var state = ConsoleFixtures.state(.approvals, width: 100, height: 30)
        state.readOnly = true
        state.paused = true
        state.changesWhilePaused = 3
        let grid = unicode.render(state)
        GoldenFile.check(grid, named: "readonly-paused-100x30")
        XCTAssertTrue(grid.line(0).contains("READ-ONLY") && grid.line(0).contains("PAUSED +3"))
    }

    /// `text` is absent from the status bar until `change` is made, then present in the error role.
    private func assertStatusBarWarning(_ text: String, state: inout ConsoleState, file: StaticString = #filePath, line: UInt = #line,
                                        after change: (inout ConsoleState) -> Void) {
        XCTAssertFalse(unicode.render(state).line(0).contains(text), file: file, line: line)
        change(&state)
        let bar = unicode.render(state)
        let top = bar.line(0)
        guard let range = top.range(of: text) else { return XCTFail("'\(text)' not in \(top)", file: file, line: line) }
        XCTAssertEqual(bar[TextWidth.of(String(top[..<range.lowerBound])), 0].role, .error, file: file, line: line)
    }

    func testFailedNotificationsShowInTheStatusBar() {
        var state = ConsoleFixtures.state(.alerts, width: 230, height: 30)
        assertStatusBarWarning("notify failed 2", state: &state) { $0.status.failedNotifications = 2 }
        state.status.predictions = ["disk / reaches 90% in 3 days", "certificate expires in 12 days"]
        XCTAssertTrue(unicode.render(state).line(0).contains("predicted: disk / reaches 90% in 3 days (+1)"), unicode.render(state).line(0))
    }

    func testPreflightProblemsShowInTheStatusBar() {
        var state = ConsoleFixtures.state(.alerts, width: 160, height: 30)
        assertStatusBarWarning("preflight 3", state: &state) { $0.status.preflightProblems = 3 }
    }

    func testSOPsWithSparkline() {
        GoldenFile.check(unicode.render(ConsoleFixtures.state(.sops, width: 130, height: 24)), named: "sops-130x24")
    }

    func testAuditTrailWithFilter() {
        var state = ConsoleFixtures.state(.audit, width: 110, height: 24)
        state.filters[.audit] = ListFilter(pattern: "approv", inverted: true)
        GoldenFile.check(unicode.render(state), named: "audit-110x24-filtered")
    }

    func testDryRunForm() {
        var state = ConsoleFixtures.state(.dryRun, width: 100, height: 40)
        state.dryRun.alertType = "disk_usage_high"
        state.dryRun.labels = "host=db-1"
        var result = ConsoleFixtures.executionDetail
        result.execution = ConsoleFixtures.executions[5]
        result.approval = nil
        result.fixActions = ConsoleFixtures.plans
        state.dryRun.result = result
        GoldenFile.check(unicode.render(state), named: "dryrun-100x40")
    }

    func testHelpListsEveryKey() {
        var state = ConsoleFixtures.state(.alerts, width: 120, height: 60)
        state.helpVisible = true
        let grid = unicode.render(state)
        GoldenFile.check(grid, named: "help-120x60")
        for binding in KeyMap.standard.bindings {
            XCTAssertTrue(grid.text.contains(binding.help), "help lists '\(binding.help)'")
        }
    }

    func testCommandPromptAtTheBottom() {
        var state = ConsoleFixtures.state(.alerts, width: 80, height: 24)
        state.prompt = .command(text: "audit kind=decision", historyIndex: nil)
        let grid = unicode.render(state)
        XCTAssertEqual(grid.line(23), ":audit kind=decision_")
    }

    func testTimesOfEarlierDaysShowTheDate() {
        let formatting = ConsoleFixtures.formatting
        let now = ConsoleFixtures.now
        XCTAssertEqual(formatting.clock(now.addingTimeInterval(-60), now: now), "13:59:00")
        XCTAssertEqual(formatting.clock(now.addingTimeInterval(-86_400 * 30), now: now), "Feb 02")
        XCTAssertEqual(formatting.dayTime(now.addingTimeInterval(-86_400 * 30), now: now), "Feb 02 14:00")
        XCTAssertEqual(Formatting.duration(milliseconds: 192_000), "3m12s")
        XCTAssertEqual(Formatting.duration(milliseconds: 7_500_000), "2h05m")
    }
}

/// The run detail's timings add up each attempt's own steps, not the waits between attempts.
final class RunTimingsTests: XCTestCase {
    func testPhaseTimesLeaveOutTheWaitsBetweenAttempts() {
        var state = ConsoleFixtures.state(.executions, width: 160, height: 50)
        var detail = ConsoleFixtures.executionDetail
        let now = Date()
        func step(_ phase: String, attempt: Int, from start: Double, to end: Double) -> ConsoleStep {
            ConsoleStep(phase: phase, stepID: "\(phase)-\(attempt)", attempt: attempt, status: "succeeded", result: .object([:]),
                        startedAt: now.addingTimeInterval(-start), finishedAt: now.addingTimeInterval(-end))
        }
        detail.steps = [step("diagnosis", attempt: 0, from: 40, to: 39.5), step("diagnosis", attempt: 1, from: 9, to: 8.5),
                        step("fix", attempt: 1, from: 39, to: 38), step("fix", attempt: 2, from: 8, to: 7)]
        state.executionDetail = detail
        state.detailZoomed = true
        let text = ScreenRenderer().render(state).text
        XCTAssertTrue(text.contains("diagnosis 1.0s · fix 2.0s"), text)
    }
}
