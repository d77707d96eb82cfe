import Foundation
import XCTest
@testable import OpsBrainConsole

/// Mouse reports and clipboard writes through a real ncurses screen: keys from a pipe, and what ncurses sends the
/// terminal written to a file and read back (ncurses state is process-wide; XCTest on Linux runs these one by one).
final class NcursesMouseTests: XCTestCase {
    /// Runs `body` on an xterm-256color screen (mouse reporting on if `mouse`) and returns what went to the terminal.
    private func withScreen(mouse: Bool, _ body: (NcursesScreen, Int32) throws -> Void) throws -> String {
        setlocale(LC_ALL, "C.UTF-8")
        setenv("LINES", "30", 1)
        setenv("COLUMNS", "100", 1)
        defer { unsetenv("LINES"); unsetenv("COLUMNS") }
        var keys: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&keys), 0)
        let path = NSTemporaryDirectory() + "opsbrain-ncurses-\(UUID().uuidString).out"
        let output = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(keys[0]); close(keys[1]); close(output); unlink(path) }
        let screen = try NcursesScreen(inputDescriptor: keys[0], outputDescriptor: output, terminal: "xterm-256color")
        if mouse { screen.enableMouse() }
        try body(screen, keys[1])
        screen.close()
        return String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    /// Writes `bytes` to the screen's input and reads keys until `count` have come (or two seconds pass).
    private func keys(_ bytes: String, into input: Int32, screen: NcursesScreen, count: Int) -> [Key] {
        XCTAssertEqual(write(input, bytes, bytes.utf8.count), bytes.utf8.count)
        var keys: [Key] = []
        let deadline = Date().addingTimeInterval(2)
        while keys.count < count, Date() < deadline {
            if let key = screen.readKey() { keys.append(key) } else { Thread.sleep(forTimeInterval: 0.01) }
        }
        return keys
    }

    func testWithMouseOnReportsBecomeMouseKeys() throws {
        let sent = try withScreen(mouse: true) { screen, input in
            XCTAssertEqual(keys("\u{1b}[<0;10;6M\u{1b}[<0;10;6m", into: input, screen: screen, count: 1), [.mouse(MouseEvent(x: 9, y: 5, kind: .click))],
                           "SGR counts from 1, the console from 0")
            XCTAssertEqual(keys("\u{1b}[<64;3;4M", into: input, screen: screen, count: 1), [.mouse(MouseEvent(x: 2, y: 3, kind: .wheelUp))])
            XCTAssertEqual(keys("\u{1b}[<65;3;4Mj", into: input, screen: screen, count: 2), [.mouse(MouseEvent(x: 2, y: 3, kind: .wheelDown)), .char("j")])
            XCTAssertEqual(keys("\u{1b}[<2;3;4Mk", into: input, screen: screen, count: 1), [.char("k")], "button 3: skipped, the key after it read")
            XCTAssertNil(screen.readKey())
            XCTAssertEqual(screen.skippedMouseReports, 1, "read all the same: not the end of input")
        }
        XCTAssertTrue(sent.contains("\u{1b}[?1006;1000h"), "mouse reporting asked for: \(sent.debugDescription.prefix(300))")
        XCTAssertTrue(sent.contains("\u{1b}[?1006;1000l"), "and turned off when the screen closes")
    }

    func testWithoutMouseNothingIsAskedAndReportsAreDroppedWhole() throws {
        let sent = try withScreen(mouse: false) { screen, input in
            XCTAssertEqual(keys("\u{1b}[<0;10;6M\u{1b}[<0;10;6mj", into: input, screen: screen, count: 1), [.char("j")],
                           "ncurses matches ESC [ < but decodes nothing: the 1 and 6 of the report must not become keys")
            XCTAssertEqual(keys("\u{1b}[<0;1q", into: input, screen: screen, count: 1), [.char("q")], "a cut-off report: q stays a key")
            XCTAssertNil(screen.readKey())
            XCTAssertEqual(screen.skippedMouseReports, 3)
        }
        XCTAssertFalse(sent.contains("\u{1b}[?1000"), "no mouse reporting, so the terminal's text selection keeps working")
        XCTAssertFalse(sent.contains("\u{1b}[?1006"))
    }

    func testEmittedSequencesGoOutAfterThePaint() throws {
        let osc = Clipboard.osc52(copying: "3d9f2ef4", insideTmux: false)
        let sent = try withScreen(mouse: false) { screen, _ in
            screen.paint(ScreenRenderer(glyphs: .unicode, formatting: ConsoleFixtures.formatting)
                .render(ConsoleFixtures.state(.alerts, width: 100, height: 30)))
            screen.emit(osc)
        }
        let painted = try XCTUnwrap(sent.range(of: "OPS BRAIN"), "the screen was painted")
        let copied = try XCTUnwrap(sent.range(of: osc), "the OSC 52 sequence went out whole")
        let closed = try XCTUnwrap(sent.range(of: "\u{1b}[?1049l"), "the screen closed")
        XCTAssertTrue(painted.upperBound <= copied.lowerBound && copied.upperBound <= closed.lowerBound)
    }
}
