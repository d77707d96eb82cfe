import Foundation
import OpsBrainConsole
import OpsBrainCore
import OpsBrainPostgres
import XCTest

/// Mouse reports and `y` through the pure controller: clicks are aimed at what the renderer drew (a row's text,
/// a tab's label), so the hit-testing and the screen cannot drift apart.
final class ControllerMouseTests: XCTestCase {
    private let controller = ConsoleController()
    private let renderer = ScreenRenderer(glyphs: .unicode, formatting: ConsoleFixtures.formatting)

    private func mouse(_ kind: MouseEvent.Kind, _ x: Int, _ y: Int, _ state: inout ConsoleState) -> [ConsoleEffect] {
        controller.handle(.mouse(MouseEvent(x: x, y: y, kind: kind)), state: &state)
    }

    private func click(_ x: Int, _ y: Int, _ state: inout ConsoleState) -> [ConsoleEffect] { mouse(.click, x, y, &state) }

    /// Where `text` is drawn on `state`'s screen (the topmost occurrence), as a column and a line.
    private func position(of text: String, in state: ConsoleState, file: StaticString = #filePath, line: UInt = #line) -> (x: Int, y: Int) {
        let grid = renderer.render(state)
        for y in 0..<grid.height {
            let row = grid.line(y)
            if let range = row.range(of: text) { return (row.distance(from: row.startIndex, to: range.lowerBound), y) }
        }
        XCTFail("'\(text)' is not on the screen", file: file, line: line)
        return (0, 0)
    }

    func testAClickOnARowSelectsItAndLoadsTheRunsDetail() {
        var state = ConsoleFixtures.state(.executions, width: 100, height: 30)
        let row = position(of: "latency-high", in: state)
        XCTAssertEqual(click(row.x, row.y, &state), [.loadDetail], "the same effects as moving the cursor there")
        XCTAssertEqual(state.executions.selected?.sopName, "latency-high")
        XCTAssertTrue(renderer.render(state).line(row.y).contains("▶"), "the cursor is drawn on the clicked line")
        XCTAssertEqual(click(row.x, row.y, &state), [], "the row already selected: nothing to read")

        let header = position(of: "STATUS", in: state)
        XCTAssertEqual(click(header.x, header.y, &state), [], "the column header is no row")
        let below = row.y + ConsoleFixtures.executions.count
        XCTAssertEqual(click(10, below, &state), [], "below the last row")
        XCTAssertEqual(state.executions.selected?.sopName, "latency-high")
    }

    func testAClickSelectsTheRowOnScreenWhenTheListIsScrolled() {
        var state = ConsoleFixtures.state(.alerts, width: 80, height: 14)
        let alerts = (0..<40).map { number in
            var alert = ConsoleFixtures.alerts[number % 6]
            alert.id = ConsoleFixtures.id(1000 + number)
            alert.key = ConsoleFixtures.key(alert.createdAt, alert.id)
            alert.title = "alert number \(number)"
            return alert
        }
        state.alerts.replace(with: alerts, visibleRows: Layout(width: 80, height: 14).listRows(zoomed: false))
        _ = controller.handle(.pageDown, state: &state)
        _ = controller.handle(.pageDown, state: &state)
        XCTAssertGreaterThan(state.alerts.scrollTop, 0)
        let row = position(of: "alert number \(state.alerts.scrollTop + 1)", in: state)
        _ = click(row.x, row.y, &state)
        XCTAssertEqual(state.alerts.selected?.title, "alert number \(state.alerts.scrollTop + 1)")
    }

    func testAClickOnATabSwitchesView() {
        var state = ConsoleFixtures.state(.alerts, width: 100, height: 30)
        let runs = position(of: "2 Runs", in: state)
        XCTAssertEqual(runs.y, 1)
        XCTAssertEqual(click(runs.x + 3, runs.y, &state), [.reload(.executions)], "as the number key does")
        XCTAssertEqual(state.view, .executions)
        XCTAssertEqual(state.previousView, .alerts)

        var narrow = ConsoleFixtures.state(.alerts, width: 52, height: 20)
        let audit = position(of: " 5 ", in: narrow)
        XCTAssertEqual(audit.y, 1, "the narrow tab bar shows only numbers")
        XCTAssertEqual(click(audit.x + 1, audit.y, &narrow), [.reload(.audit)])
        XCTAssertEqual(narrow.view, .audit)
    }

    func testTheWheelMovesTheCursorOrScrollsTheDetailUnderThePointer() throws {
        var state = ConsoleFixtures.state(.alerts, width: 100, height: 30)
        let panes = Layout(width: 100, height: 30).panes(zoomed: false)
        let list = try XCTUnwrap(panes.list)
        let detail = try XCTUnwrap(panes.detail)
        _ = mouse(.wheelDown, 10, list.y + 2, &state)
        XCTAssertEqual(state.alerts.cursor, 3)
        _ = mouse(.wheelDown, 10, list.y + 2, &state)
        XCTAssertEqual(state.alerts.cursor, 5, "stops at the last row")
        _ = mouse(.wheelUp, 10, 0, &state)
        XCTAssertEqual(state.alerts.cursor, 2, "outside both panes the wheel moves the list")

        _ = mouse(.wheelDown, 10, detail.y + 1, &state)
        XCTAssertEqual(state.detailScroll, 3)
        XCTAssertEqual(state.alerts.cursor, 2, "over the detail pane the cursor stays")
        _ = mouse(.wheelUp, 10, detail.y + 1, &state)
        _ = mouse(.wheelUp, 10, detail.y + 1, &state)
        XCTAssertEqual(state.detailScroll, 0)

        var runs = ConsoleFixtures.state(.executions, width: 100, height: 30)
        XCTAssertEqual(mouse(.wheelDown, 10, list.y + 2, &runs), [.loadDetail])
        _ = controller.handle(.enter, state: &runs)
        XCTAssertEqual(mouse(.wheelDown, 10, list.y + 2, &runs), [], "full-screen detail: the wheel scrolls it")
        XCTAssertEqual(runs.detailScroll, 3)
    }

    func testMouseReportsAreIgnoredWhileADialogIsOpen() throws {
        var state = ConsoleFixtures.state(.executions, width: 100, height: 34)
        _ = controller.handle(.char("A"), state: &state)
        let dialog = try XCTUnwrap(state.dialog)
        let approve = position(of: "[ Approve ]", in: state)
        let tab = position(of: "3 Approvals", in: state)
        for (x, y) in [(approve.x + 2, approve.y), (tab.x, tab.y), (10, 5)] {
            for kind in [MouseEvent.Kind.click, .wheelDown, .wheelUp] {
                XCTAssertEqual(mouse(kind, x, y, &state), [], "\(kind) at \(x),\(y)")
            }
        }
        XCTAssertEqual(state.dialog, dialog, "nothing confirmed, focus unchanged")
        XCTAssertEqual(state.view, .executions)
        XCTAssertEqual(state.executions.cursor, 0)
        XCTAssertEqual(controller.handle(.enter, state: &state), [], "Enter still presses Cancel")
        XCTAssertNil(state.dialog)
    }

    func testMouseReportsAreIgnoredWhileAPromptIsOpen() {
        var state = ConsoleFixtures.state(.executions, width: 100, height: 30)
        _ = controller.handle(.char("R"), state: &state)
        guard case .reason = state.prompt else { return XCTFail("R asks for a reason first: \(String(describing: state.prompt))") }
        let prompt = state.prompt
        let row = position(of: "latency-high", in: state)
        let tab = position(of: "1 Alerts", in: state)
        XCTAssertEqual(click(row.x, row.y, &state), [])
        XCTAssertEqual(click(tab.x, tab.y, &state), [])
        XCTAssertEqual(mouse(.wheelDown, row.x, row.y, &state), [])
        XCTAssertEqual(state.prompt, prompt)
        XCTAssertEqual(state.view, .executions)
        XCTAssertEqual(state.executions.cursor, 0, "the run being rejected is still the one selected")

        _ = controller.handle(.escape, state: &state)
        _ = controller.handle(.char("/"), state: &state)
        XCTAssertEqual(click(tab.x, tab.y, &state), [])
        XCTAssertEqual(state.prompt, .filter(text: ""))
    }

    func testAClickInTheDryRunFormRunsNothing() {
        var state = ConsoleFixtures.state(.dryRun, width: 100, height: 40)
        state.dryRun.focus = .run
        let run = position(of: "[ Run dry run ]", in: state)
        XCTAssertEqual(click(run.x + 3, run.y, &state), [])
        XCTAssertEqual(state.dryRun.focus, .run)
        _ = mouse(.wheelDown, run.x, run.y, &state)
        XCTAssertEqual(state.detailScroll, 3, "the wheel scrolls the result")
    }

    func testCCopiesTheSelectedRowsFullID() {
        var state = ConsoleFixtures.state(.alerts, width: 100, height: 30)
        state.readOnly = true
        let alert = ConsoleFixtures.alerts[0].id.uuidString.lowercased()
        XCTAssertEqual(controller.handle(.char("c"), state: &state), [.copyToClipboard(alert)], "read-only consoles copy too")
        XCTAssertEqual(state.message?.text, "copied \(alert) (OSC 52: your terminal must allow clipboard writes)")
        let expected: [(ViewID, UUID)] = [(.executions, ConsoleFixtures.executions[0].id), (.approvals, ConsoleFixtures.approvals[0].executionID),
                                          (.audit, ConsoleFixtures.id(200))]
        for (view, id) in expected {
            state.view = view
            XCTAssertEqual(controller.handle(.char("c"), state: &state), [.copyToClipboard(id.uuidString.lowercased())], "\(view)")
        }
        state.view = .sops
        XCTAssertEqual(controller.handle(.char("c"), state: &state), [], "c is not bound in SOPs")
        XCTAssertTrue(KeyMap.standard.bindings.contains { $0.keys == [.char("c")] && $0.action == .yank }, "the help lists c")
    }

    func testYConfirmsADialogAndCTypesInTheForm() {
        var state = ConsoleFixtures.state(.executions, width: 100, height: 34)
        _ = controller.handle(.char("A"), state: &state)
        let effects = controller.handle(.char("y"), state: &state)
        XCTAssertEqual(effects.count, 1)
        guard case .decide = effects.first else { return XCTFail("y confirms the dialog: \(effects)") }

        var form = ConsoleFixtures.state(.dryRun, width: 100, height: 40)
        XCTAssertFalse(controller.handle(.char("c"), state: &form).contains { if case .copyToClipboard = $0 { true } else { false } })
    }
}
