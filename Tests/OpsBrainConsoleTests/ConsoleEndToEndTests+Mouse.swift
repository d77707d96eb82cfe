import Foundation
import OpsBrainPostgres
import XCTest

/// `opsbrain console --mouse` under tmux, driven by the mouse reports a terminal sends (SGR, TERM=xterm-256color),
/// typed into the pane; and the same reports to a console without `--mouse`, where they must do nothing.
extension ConsoleEndToEndTests {
    /// Button 1 pressed and released at screen column `x`, line `y` (from 0), as an SGR report (which counts from 1).
    private static func click(x: Int, y: Int) -> String { "\u{1b}[<0;\(x + 1);\(y + 1)M\u{1b}[<0;\(x + 1);\(y + 1)m" }

    /// The wheel turned down one notch at column `x`, line `y`.
    private static func wheelDown(x: Int, y: Int) -> String { "\u{1b}[<65;\(x + 1);\(y + 1)M" }

    /// Five firing alerts, `mouse alert 1` to `5`; their ids by title.
    private func insertAlerts(_ database: ConsoleTestDatabase) throws -> [String: String] {
        var ids: [String: String] = [:]
        for number in 1...5 {
            let row = try database.connection.query("""
                INSERT INTO intelligence_alerts (alert_type, title, severity, source) VALUES ('disk_full', $1, 'high', 'sql') RETURNING id
                """, ["mouse alert \(number)"]).first
            ids["mouse alert \(number)"] = try XCTUnwrap(row?.uuid("id")).uuidString.lowercased()
        }
        return ids
    }

    /// Where each alert's title is drawn in the list (its rows say `firing`), in the order on screen, once all five are there.
    private func titlePositions(_ tmux: TmuxSession) -> [(title: String, x: Int, y: Int)] {
        for number in 1...5 { tmux.waitFor("mouse alert \(number)") }
        return tmux.screen().split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { y, line in
            guard line.contains("firing"), let range = line.range(of: #"mouse alert \d"#, options: .regularExpression) else { return nil }
            return (String(line[range]), line.distance(from: line.startIndex, to: range.lowerBound), y)
        }
    }

    /// The pane's mouse modes as tmux tracks them: standard (1000) and SGR (1006) reporting, `1` when on.
    private func mouseModes(_ tmux: TmuxSession) throws -> String {
        try tmux.tmux(["display-message", "-p", "-t", tmux.name, "#{mouse_standard_flag}#{mouse_sgr_flag}"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testMouseClicksSelectRowsAndTabsTheWheelScrollsAndCCopiesTheID() throws {
        let database = try ConsoleTestDatabase()
        let ids = try insertAlerts(database)
        let tmux = try TmuxSession(command: try consoleCommand(database, extra: "--no-engine --mouse", environment: "TERM=xterm-256color TMUX="),
                                   width: 120, height: 36)
        try tmux.tmux(["set-option", "-s", "set-clipboard", "on"]) // tmux takes the console's OSC 52 into a paste buffer
        let rows = titlePositions(tmux)
        XCTAssertEqual(rows.count, 5, tmux.compactScreen())
        XCTAssertEqual(try mouseModes(tmux), "11", "--mouse asks for mouse reports")

        try tmux.send(Self.click(x: rows[2].x, y: rows[2].y))
        tmux.waitFor(try XCTUnwrap(ids[rows[2].title]), timeout: 5) // the clicked alert's detail, with its id
        try tmux.send(Self.wheelDown(x: rows[2].x, y: rows[2].y))
        let last = try XCTUnwrap(ids[rows[4].title])
        tmux.waitFor(last, timeout: 5)

        try tmux.send("c")
        tmux.waitFor("copied \(last) (OSC 52: your terminal must allow clipboard writes)", timeout: 5)
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, (try? tmux.tmux(["show-buffer"])) != last { Thread.sleep(forTimeInterval: 0.1) }
        XCTAssertEqual(try tmux.tmux(["show-buffer"]), last, "the terminal received the id through OSC 52")

        let tabs = tmux.screen().split(separator: "\n", omittingEmptySubsequences: false)[1]
        let runs = try XCTUnwrap(tabs.range(of: "2 Runs"), String(tabs))
        try tmux.send(Self.click(x: tabs.distance(from: tabs.startIndex, to: runs.lowerBound), y: 1))
        tmux.waitFor("Runs 0", timeout: 5)
        try tmux.send("q")
        tmux.waitFor("CONSOLE-EXIT-0")
    }

    func testWithoutMouseTheSameReportsDoNothing() throws {
        let database = try ConsoleTestDatabase()
        let ids = try insertAlerts(database)
        let tmux = try TmuxSession(command: try consoleCommand(database, extra: "--no-engine", environment: "TERM=xterm-256color"),
                                   width: 120, height: 36)
        let rows = titlePositions(tmux)
        XCTAssertEqual(rows.count, 5, tmux.compactScreen())
        XCTAssertEqual(try mouseModes(tmux), "00", "no mouse reporting: the terminal's text selection keeps working")

        try tmux.send(Self.click(x: rows[2].x, y: rows[2].y) + Self.wheelDown(x: rows[2].x, y: rows[2].y) + Self.click(x: 20, y: 1))
        try tmux.send("j")
        // j comes after the reports: once it has moved the cursor from the first row to the second, they were read.
        tmux.waitFor(try XCTUnwrap(ids[rows[1].title]), timeout: 5)
        let screen = tmux.screen()
        XCTAssertTrue(screen.contains("Alerts 5"), "still the Alerts view: no digit of a report was a view key\n\(screen)")
        XCTAssertFalse(screen.contains(try XCTUnwrap(ids[rows[3].title])), "the click selected nothing\n\(screen)")
        try tmux.send("q")
        tmux.waitFor("CONSOLE-EXIT-0")
    }
}
