import Foundation
import OpsBrainConsole
import OpsBrainCore
import OpsBrainPostgres
import XCTest

/// The key-handling bugs seen driving the console over SSH, one test each.
final class ControllerEdgeCaseTests: XCTestCase {
    private let controller = ConsoleController()

    private func press(_ keys: [Key], _ state: inout ConsoleState) -> [ConsoleEffect] {
        keys.flatMap { controller.handle($0, state: &state) }
    }

    private func type(_ text: String) -> [Key] { text.map { Key.char($0) } }

    func testTheReadOnlyRefusalNamesTheWholeAction() {
        var state = ConsoleFixtures.state(.executions, width: 100, height: 30)
        state.readOnly = true
        _ = press([.down, .down, .char("B")], &state)
        XCTAssertEqual(state.message?.text, "read-only console: roll back is disabled")
        _ = press([.char("A")], &state)
        XCTAssertEqual(state.message?.text, "read-only console: approve is disabled")
    }

    func testMinusGoesBackEvenWithAFilter() {
        var state = ConsoleFixtures.state(.alerts, width: 100, height: 30)
        _ = press([.char("2")] + [.char("/")] + type("disk") + [.enter], &state)
        XCTAssertEqual(press([.char("-")], &state), [.reload(.alerts)], "- is back to the previous view, filter or not")
        XCTAssertEqual(state.view, .alerts)
        XCTAssertEqual(state.filters[.executions], ListFilter(pattern: "disk", inverted: false), "the Runs filter is kept for the return")
    }

    func testEscDismissingAMessageStaysInTheView() {
        var state = ConsoleFixtures.state(.alerts, width: 100, height: 30)
        _ = press([.char("2"), .char(":")] + type("nonsense") + [.enter], &state)
        XCTAssertEqual(state.message?.isError, true)
        XCTAssertEqual(press([.escape], &state), [])
        XCTAssertEqual(state.view, .executions, "Esc only dismissed the message")
        XCTAssertNil(state.message)
    }

    func testTheFilterPromptStartsEmptyAndCtrlUClearsIt() {
        var state = ConsoleFixtures.state(.alerts, width: 100, height: 30)
        _ = press([.char("/")] + type("disk") + [.enter], &state)
        _ = press([.char("/")], &state)
        XCTAssertEqual(state.prompt, .filter(text: ""), "a new filter starts empty (the current one shows in the title)")
        _ = press(type("temp dir") + [.control("u")], &state)
        XCTAssertEqual(state.prompt, .filter(text: ""))
        _ = press(type("temp dir") + [.control("w")], &state)
        XCTAssertEqual(state.prompt, .filter(text: "temp "), "Ctrl-W deletes the last word")
    }

    func testOnlyEnterOrXRunsTheDryRunAndEOnRunDoesNot() {
        var state = ConsoleFixtures.state(.alerts, width: 100, height: 30)
        _ = press([.char("6")], &state)
        state.dryRun.focus = .run
        XCTAssertEqual(press([.char("e")], &state), [], "e edits; the Run button is not a field")
        XCTAssertFalse(state.dryRun.running)
        XCTAssertEqual(press([.enter], &state).count, 1, "Enter presses the focused Run button")
    }

    func testLettersTypedInTheFormAreNeverCommands() {
        var state = ConsoleFixtures.state(.alerts, width: 100, height: 30)
        _ = press([.char("6"), .tab, .tab], &state)
        XCTAssertEqual(state.dryRun.focus, .alertType)
        let effects = press(type("pq1:/3"), &state)
        XCTAssertEqual(effects, [])
        XCTAssertEqual(state.view, .dryRun)
        XCTAssertFalse(state.paused, "p typed into the form does not pause the stream")
        XCTAssertEqual(state.prompt, .field(text: "pq1:/3"), "typing on a text field edits it")
        _ = press([.enter], &state)
        XCTAssertEqual(state.dryRun.alertType, "pq1:/3")
        XCTAssertEqual(press([.escape], &state), [.reload(.alerts)], "Esc leaves the form")
    }

    func testTypeAheadChoosesTheSOP() {
        var state = ConsoleFixtures.state(.alerts, width: 100, height: 30)
        _ = press([.char("6")], &state)
        state.dryRun.sopNames = (0..<52).map { String(format: "sop-%02d", $0) } + ["alert-flapping", "temp-directory-growth"]
        state.dryRun.sopNames.sort()
        XCTAssertEqual(state.dryRun.focus, .sop)
        _ = press(type("te"), &state)
        XCTAssertEqual(state.dryRun.sopName, "temp-directory-growth")
        _ = press([.backspace] + type("sop-4"), &state)
        XCTAssertEqual(state.dryRun.sopName, "sop-40", "Backspace starts the search again")
        XCTAssertEqual(state.dryRun.typeAhead, "sop-4")
        _ = press([.tab], &state)
        XCTAssertEqual(state.dryRun.typeAhead, "", "leaving the field ends the search")
    }

    func testDryRunFromAnAlertAsksWhichSOPTheMatcherPicks() {
        var state = ConsoleFixtures.state(.alerts, width: 100, height: 30)
        let effects = press([.down, .char("d")], &state)
        XCTAssertEqual(effects, [.loadSOPNames(matching: ConsoleFixtures.alerts[1].id)])
        XCTAssertEqual(state.dryRun.alertID, ConsoleFixtures.alerts[1].id.uuidString.lowercased())
    }

    func testAuditExecFilterTakesTheShortID() {
        var state = ConsoleFixtures.state(.alerts, width: 100, height: 30)
        _ = press([.char(":")] + type("audit exec=3d9f2ef4") + [.enter], &state)
        XCTAssertNil(state.message, state.message?.text ?? "")
        XCTAssertEqual(state.auditFilter.executionPrefix, "3d9f2ef4")
        _ = press([.char(":")] + type("audit exec=xyz") + [.enter], &state)
        XCTAssertEqual(state.message?.isError, true, "not hex: refused with a message")
    }

    func testAHighRiskApprovalNeedsTheSOPsNameOrApproveTyped() {
        var state = ConsoleFixtures.state(.approvals, width: 100, height: 30)
        _ = press([.down, .char("A")], &state)
        XCTAssertEqual(state.dialog?.target.risk, "high")
        XCTAssertEqual(press([.char("y"), .enter], &state), [], "y is not enough for a high-risk fix")
        XCTAssertNotNil(state.dialog)
        _ = press([.backspace], &state)
        let target = ActionTarget(ConsoleFixtures.approvals[1])
        XCTAssertEqual(press(type("cache-stale") + [.enter], &state), [.decide(target, approve: true, reason: nil)])
        _ = press([.char("A")] + type("approve") + [.enter], &state)
        XCTAssertNil(state.dialog, "the word approve works too")
        XCTAssertEqual(press([.up, .char("A"), .char("y")], &state).count, 1, "a medium-risk fix is still y")
    }

    func testAlertActionsAckAtOnceAndAskForADurationOrAReason() {
        var state = ConsoleFixtures.state(.alerts, width: 100, height: 30)
        let alert = ConsoleFixtures.alerts[0]
        XCTAssertEqual(press([.char("a")], &state), [.alertAction(AlertActionRequest(alertID: alert.id, title: alert.title, kind: .acknowledge))])
        XCTAssertEqual(press([.char("z")] + type("90m") + [.enter], &state),
                       [.alertAction(AlertActionRequest(alertID: alert.id, title: alert.title, kind: .snooze(.seconds(5400))))])
        XCTAssertEqual(press([.char("z")] + type("soon") + [.enter], &state), [])
        XCTAssertTrue(state.message?.text.contains("'soon' is not a duration") ?? false, state.message?.text ?? "")
        XCTAssertEqual(press([.char("X"), .enter], &state), [], "a hand resolve needs a reason")
        XCTAssertEqual(press([.char("X")] + type("false alarm: test host") + [.enter], &state),
                       [.alertAction(AlertActionRequest(alertID: alert.id, title: alert.title, kind: .resolve(reason: "false alarm: test host")))])
        XCTAssertEqual(press([.char("S")] + type("2h") + [.enter], &state),
                       [.alertAction(AlertActionRequest(alertID: alert.id, title: alert.title, kind: .silence(.seconds(7200))))])
        state.readOnly = true
        XCTAssertEqual(press([.char("a")], &state), [])
        XCTAssertEqual(state.message?.text, "read-only console: acknowledge is disabled")
    }

    func testIOpensTheIncidentOfTheSelectedAlertOrRun() {
        var state = ConsoleFixtures.state(.alerts, width: 100, height: 30)
        XCTAssertEqual(press([.char("i")], &state), [.reload(.incident)])
        XCTAssertEqual(state.incident.subject, .alert(ConsoleFixtures.alerts[0].id))
        XCTAssertEqual(press([.char("E")], &state), [], "nothing to export before the timeline is read")
        XCTAssertEqual(state.message?.isError, true)
        _ = press([.escape, .escape, .char("2"), .char("i")], &state)
        XCTAssertEqual(state.incident.subject, .execution(ConsoleFixtures.executions[0].id))
    }

    func testSCyclesTheAlertSortAndTheTitleSaysWhich() {
        var state = ConsoleFixtures.state(.alerts, width: 100, height: 30)
        XCTAssertEqual(press([.char("s")], &state), [.reload(.alerts)])
        XCTAssertEqual(state.alertSort, .severity)
        XCTAssertFalse(state.alerts.loaded, "the list is read again in the new order")
        state.alerts.replace(with: ConsoleFixtures.alerts, visibleRows: 10)
        XCTAssertTrue(ScreenRenderer(glyphs: .unicode, formatting: ConsoleFixtures.formatting).render(state).text
            .contains("Alerts 6 ─ sorted by severity"))
        _ = press([.char("s"), .char("s"), .char("s")], &state)
        XCTAssertEqual(state.alertSort, .age, "and back to newest first")
    }
}
