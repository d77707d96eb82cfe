import Foundation
import OpsBrainConsole
import OpsBrainCore
import OpsBrainPostgres
import XCTest

/// Keys into the pure controller: navigation, prompts, commands, and the safety of dangerous actions.
final class ControllerTests: XCTestCase {
    private let controller = ConsoleController()

    private func press(_ keys: [Key], _ state: inout ConsoleState) -> [ConsoleEffect] {
        keys.flatMap { controller.handle($0, state: &state) }
    }

    private func type(_ text: String) -> [Key] { text.map { Key.char($0) } }

    func testNumberKeysAndCommandsSwitchViews() {
        var state = ConsoleFixtures.state(.alerts, width: 100, height: 30)
        XCTAssertEqual(press([.char("2")], &state), [.reload(.executions)])
        XCTAssertEqual(state.view, .executions)
        XCTAssertEqual(press([.char(":")] + type("approvals") + [.enter], &state), [.reload(.approvals)])
        XCTAssertEqual(state.view, .approvals)
        XCTAssertEqual(press([.char("-")], &state), [.reload(.executions)], "- goes back to the previous view")
        XCTAssertEqual(press([.char("6")], &state), [.loadSOPNames(matching: nil)])
        XCTAssertEqual(press([.char(":")], &state), [], "in the dry-run form, : is typed, not a command")
        XCTAssertNil(state.prompt)
        XCTAssertEqual(state.message?.text, "no SOP starts with or contains ':'")
        _ = press([.escape, .escape], &state)
        XCTAssertEqual(press([.char(":")] + type("nonsense") + [.enter], &state), [])
        XCTAssertEqual(state.message?.isError, true)
        XCTAssertEqual(press([.char(":")] + type("q") + [.enter], &state), [.quit])
    }

    func testCommandHistoryRecallsEarlierCommands() {
        var state = ConsoleFixtures.state(.alerts, width: 100, height: 30)
        _ = press([.char(":")] + type("sops") + [.enter], &state)
        _ = press([.char(":")] + type("audit") + [.enter], &state)
        _ = press([.char(":"), .up, .up], &state)
        XCTAssertEqual(state.prompt, .command(text: "sops", historyIndex: 0))
        _ = press([.down], &state)
        XCTAssertEqual(state.prompt, .command(text: "audit", historyIndex: 1))
    }

    func testAuditCommandSetsFieldFilters() {
        var state = ConsoleFixtures.state(.alerts, width: 100, height: 30)
        let id = ConsoleFixtures.id(200)
        let effects = press([.char(":")] + type("audit kind=decision actor=human:ana exec=\(id.uuidString)") + [.enter], &state)
        XCTAssertEqual(effects, [.reload(.audit)])
        XCTAssertEqual(state.auditFilter, AuditFilter(kind: "decision", actor: "human:ana", executionPrefix: id.uuidString.lowercased()))
        XCTAssertFalse(state.audit.loaded, "a new filter starts the list afresh")
        _ = press([.escape], &state)
        XCTAssertTrue(state.auditFilter.isEmpty, "Esc clears the filter first")
        _ = press([.char(":")] + type("audit since=6h") + [.enter], &state)
        XCTAssertEqual(state.auditFilter, AuditFilter(sinceSeconds: 6 * 3600))
        _ = press([.char(":")] + type("audit since=soon") + [.enter], &state)
        XCTAssertEqual(state.message?.text, "since= needs a duration like 30m, 6h or 2d")
    }

    func testCursorMovesAndAsksForTheNextPageNearTheEnd() {
        var state = ConsoleFixtures.state(.audit, width: 100, height: 30)
        XCTAssertEqual(press([.char("j")], &state), [.loadOlder(.audit)], "the window is small, so the next page is read")
        XCTAssertEqual(state.audit.selected?.id, 4999)
        _ = press([.char("G")], &state)
        XCTAssertEqual(press([.char("G")], &state), [.loadTail(.audit)], "G with older rows unread jumps to the oldest page")
        state.audit.hasOlder = false
        _ = press([.char("G")], &state)
        XCTAssertEqual(state.audit.selected?.id, 4997)
        _ = press([.char("g")], &state)
        XCTAssertEqual(state.audit.selected?.id, 5000)
    }

    func testSelectingAnExecutionLoadsItsDetail() {
        var state = ConsoleFixtures.state(.executions, width: 100, height: 30)
        XCTAssertEqual(press([.down], &state), [.loadDetail])
        XCTAssertEqual(state.executions.selected?.status, "fixing")
    }

    func testFilterPromptAppliesRegexAndInverse() {
        var state = ConsoleFixtures.state(.alerts, width: 100, height: 30)
        XCTAssertEqual(press([.char("/")] + type("!disk|temp") + [.enter], &state), [.reload(.alerts)])
        XCTAssertEqual(state.filters[.alerts], ListFilter(pattern: "disk|temp", inverted: true))
        XCTAssertEqual(press([.escape], &state), [.reload(.alerts)], "Esc clears the filter")
        XCTAssertNil(state.filters[.alerts])
        _ = press([.char("/")] + type("x") + [.escape], &state)
        XCTAssertNil(state.filters[.alerts], "Esc in the prompt cancels it")
    }

    func testApproveAsksFirstWithCancelFocusedAndATargetCapturedAtKeyPress() {
        var state = ConsoleFixtures.state(.approvals, width: 100, height: 30)
        XCTAssertEqual(press([.char("A")], &state), [])
        XCTAssertEqual(state.dialog?.focus, .cancel)
        XCTAssertEqual(state.dialog?.target.executionID, ConsoleFixtures.id(200))
        XCTAssertEqual(state.dialog?.target.operations.count, 2)
        // The list changes under the dialog: the captured target does not.
        state.approvals.replace(with: Array(ConsoleFixtures.approvals.reversed()), visibleRows: 10)
        state.approvals.select(index: 0, visibleRows: 10)
        XCTAssertEqual(press([.char("A")], &state), [], "the trigger key does not confirm")
        XCTAssertNotNil(state.dialog)
        XCTAssertEqual(press([.enter], &state), [], "Enter presses the focused button: Cancel")
        XCTAssertNil(state.dialog)
        XCTAssertEqual(state.message?.text, "cancelled: nothing was changed")
    }

    func testApproveConfirmedWithY() {
        var state = ConsoleFixtures.state(.approvals, width: 100, height: 30)
        let target = ActionTarget(ConsoleFixtures.approvals[0])
        XCTAssertEqual(press([.char("A"), .char("y")], &state), [.decide(target, approve: true, reason: nil)])
        XCTAssertEqual(press([.char("A"), .tab, .enter], &state), [.decide(target, approve: true, reason: nil)], "or Tab to the button and Enter")
    }

    func testRejectNeedsAReasonThenAConfirmation() {
        var state = ConsoleFixtures.state(.approvals, width: 100, height: 30)
        let target = ActionTarget(ConsoleFixtures.approvals[0])
        _ = press([.char("R"), .enter], &state)
        XCTAssertNil(state.dialog, "an empty reason is refused")
        XCTAssertEqual(state.message?.isError, true)
        _ = press([.char("R")] + type("not during business hours") + [.enter], &state)
        XCTAssertEqual(state.dialog?.kind, .reject(reason: "not during business hours"))
        XCTAssertEqual(press([.char("y")], &state), [.decide(target, approve: false, reason: "not during business hours")])
    }

    func testRollbackNeedsTheTypedWord() {
        var state = ConsoleFixtures.state(.executions, width: 100, height: 30)
        _ = press([.char("B")], &state)
        XCTAssertNil(state.dialog, "an execution awaiting approval cannot roll back")
        _ = press([.down, .down, .char("B")], &state)
        XCTAssertEqual(state.dialog?.kind, .rollback)
        XCTAssertEqual(press([.char("y"), .enter], &state), [], "y is not the typed confirmation")
        XCTAssertNotNil(state.dialog)
        _ = press([.backspace], &state)
        let effects = press(type("rollback") + [.enter], &state)
        XCTAssertEqual(effects.count, 1)
        guard case .rollback(let target) = effects.first else { return XCTFail("\(effects)") }
        XCTAssertEqual(target.executionID, ConsoleFixtures.id(202))
    }

    func testReadOnlyRefusesDangerousKeysWithAMessage() {
        var state = ConsoleFixtures.state(.approvals, width: 100, height: 30)
        state.readOnly = true
        for key in ["A", "R"] {
            XCTAssertEqual(press([.char(Character(key))], &state), [])
            XCTAssertNil(state.dialog)
            XCTAssertNil(state.prompt)
            XCTAssertEqual(state.message?.isError, true)
            XCTAssertTrue(state.message?.text.hasPrefix("read-only console") ?? false)
        }
        _ = press([.char("6"), .char("x")], &state)
        XCTAssertFalse(state.dryRun.running, "dry runs record an execution, so read-only refuses them too")
    }

    func testEveryDangerousKeyIsAwayFromNavigationAndShifted() {
        let navigation = Set(KeyMap.standard.bindings.filter { !$0.dangerous }.flatMap(\.keys))
        for binding in KeyMap.standard.bindings where binding.dangerous {
            for key in binding.keys {
                XCTAssertFalse(navigation.contains(key), "\(key) is not also a navigation key")
                guard case .char(let character) = key else { return XCTFail("dangerous keys are plain letters") }
                XCTAssertTrue(character.isUppercase, "\(character) needs Shift")
            }
        }
        XCTAssertEqual(Set(KeyMap.standard.bindings.filter(\.dangerous).map(\.action)), [.approve, .reject, .rollback])
    }

    func testPauseCountsChangesAndResumeReloads() {
        var state = ConsoleFixtures.state(.alerts, width: 100, height: 30)
        XCTAssertEqual(press([.char("p")], &state), [])
        XCTAssertTrue(state.paused)
        state.changesWhilePaused = 4
        XCTAssertEqual(press([.char("p")], &state), [.reload(.alerts)])
        XCTAssertEqual(state.changesWhilePaused, 0)
    }

    func testTooSmallScreenStillQuits() {
        var state = ConsoleFixtures.state(.alerts, width: 30, height: 8)
        XCTAssertEqual(press([.char("2"), .char("A")], &state), [])
        XCTAssertEqual(press([.char("q")], &state), [.quit])
    }

    func testHelpOpensAndAnyKeyClosesIt() {
        var state = ConsoleFixtures.state(.alerts, width: 100, height: 30)
        _ = press([.char("?"), .char("j")], &state)
        XCTAssertTrue(state.helpVisible)
        XCTAssertEqual(state.helpScroll, 1)
        XCTAssertEqual(press([.char("2")], &state), [], "the closing key does nothing else")
        XCTAssertFalse(state.helpVisible)
        XCTAssertEqual(state.view, .alerts)
    }

    func testDryRunFormComposesARequest() {
        var state = ConsoleFixtures.state(.alerts, width: 100, height: 30)
        _ = press([.char("6"), .right], &state)
        XCTAssertEqual(state.dryRun.sopName, "failed-jobs")
        _ = press([.down, .down] + type("jobs_failed") + [.enter], &state)
        XCTAssertEqual(state.dryRun.alertType, "jobs_failed")
        XCTAssertEqual(state.dryRun.focus, .title)
        _ = press([.down, .down, .enter] + type("queue=mail, host=w1") + [.enter], &state)
        let effects = press([.char("x")], &state)
        guard case .dryRun(let request) = effects.first, case .composed(let alert) = request.alert else { return XCTFail("\(effects)") }
        XCTAssertEqual(request.sopName, "failed-jobs")
        XCTAssertEqual(alert.alertType, "jobs_failed")
        XCTAssertEqual(alert.labels, ["queue": "mail", "host": "w1"])
        XCTAssertTrue(state.dryRun.running)
        XCTAssertEqual(press([.char("x")], &state), [], "one dry run at a time")
    }

    func testDryRunFromAnAlertUsesThatAlert() {
        var state = ConsoleFixtures.state(.alerts, width: 100, height: 30)
        _ = press([.char("d")], &state)
        XCTAssertEqual(state.view, .dryRun)
        XCTAssertTrue(state.dryRun.useExistingAlert)
        let effects = press([.char("x")], &state)
        XCTAssertEqual(effects, [.dryRun(DryRunRequest(sopName: "disk-filling", alert: .existing(ConsoleFixtures.id(100))))])
    }

    func testTrailOpensTheAuditOfTheSelectedExecution() {
        var state = ConsoleFixtures.state(.executions, width: 100, height: 30)
        XCTAssertEqual(press([.char("t")], &state), [.reload(.audit)])
        XCTAssertEqual(state.view, .audit)
        XCTAssertEqual(state.auditFilter.executionPrefix, ConsoleFixtures.id(200).uuidString.lowercased())
    }

    func testOpenShowsTheSelectedRowsExecutionInRuns() {
        var state = ConsoleFixtures.state(.approvals, width: 100, height: 30)
        XCTAssertEqual(press([.char("o")], &state), [.reload(.executions)])
        XCTAssertEqual(state.view, .executions)
        XCTAssertEqual(state.filters[.executions], ListFilter(pattern: ConsoleFixtures.id(200).uuidString.lowercased()))
        XCTAssertEqual(press([.escape], &state), [.reload(.executions)], "Esc shows every run again")
        state.view = .alerts
        _ = press([.char("G"), .char("k"), .char("o")], &state)
        XCTAssertEqual(state.message?.text, "no execution for this row", "the certificate alert has none")
    }
}
