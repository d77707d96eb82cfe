import CNcurses
import Foundation
import OpsBrainCore
import XCTest
@testable import OpsBrainConsole

/// A real ncurses screen without a terminal: `newterm` writing to /dev/null, reading keys from a pipe,
/// with LINES and COLUMNS fixing the size; the painted screen is read back cell by cell.
/// (ncurses state is process-wide; XCTest on Linux runs these one after another.)
final class NcursesScreenTests: XCTestCase {
    private func withScreen(terminal: String?, width: Int = 100, height: Int = 30,
                            _ body: (NcursesScreen, Int32) throws -> Void) throws {
        setlocale(LC_ALL, "C.UTF-8")
        setenv("LINES", String(height), 1)
        setenv("COLUMNS", String(width), 1)
        defer { unsetenv("LINES"); unsetenv("COLUMNS") }
        var keys: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&keys), 0)
        let output = open("/dev/null", O_WRONLY)
        defer { close(keys[0]); close(keys[1]); close(output) }
        let screen = try NcursesScreen(inputDescriptor: keys[0], outputDescriptor: output, terminal: terminal)
        defer { screen.close() }
        try body(screen, keys[1])
    }

    private func row(_ screen: NcursesScreen, _ y: Int, width: Int) -> String {
        var buffer = [wchar_t](repeating: 0, count: width + 1)
        let count = buffer.withUnsafeMutableBufferPointer { opsbrain_row_text(screen.window, Int32(y), 0, $0.baseAddress, Int32(width)) }
        guard count > 0 else { return "" }
        var text = String(String.UnicodeScalarView(buffer.prefix(Int(count)).compactMap { UnicodeScalar(UInt32(bitPattern: $0)) }))
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }

    private func cell(_ screen: NcursesScreen, x: Int, y: Int) -> (character: Character, attributes: attr_t, foreground: Int32, background: Int32) {
        var character: wchar_t = 0
        var attributes: attr_t = 0
        var pair: Int32 = 0
        XCTAssertEqual(opsbrain_cell(screen.window, Int32(y), Int32(x), &character, &attributes, &pair), OK)
        var foreground: Int32 = 0
        var background: Int32 = 0
        _ = opsbrain_pair_colors(pair, &foreground, &background)
        return (Character(UnicodeScalar(UInt32(bitPattern: character))!), attributes & opsbrain_attributes_mask(), foreground, background)
    }

    func testPaintedScreenMatchesTheRenderedGrid() throws {
        try withScreen(terminal: "xterm-256color") { screen, _ in
            XCTAssertTrue(screen.size == (100, 30), "\(screen.size)")
            screen.apply(theme: .dark, noColor: false)
            let grid = ScreenRenderer(glyphs: .unicode, formatting: ConsoleFixtures.formatting)
                .render(ConsoleFixtures.state(.alerts, width: 100, height: 30, cjk: true))
            screen.paint(grid)
            for y in 0..<30 { XCTAssertEqual(row(screen, y, width: 100), grid.line(y), "row \(y)") }
        }
    }

    func testRolesArePaintedWithTheirColoursAndAttributes() throws {
        try withScreen(terminal: "xterm-256color") { screen, _ in
            screen.apply(theme: .dark, noColor: false)
            XCTAssertEqual(screen.colorMode, .colors256)
            let grid = ScreenRenderer(glyphs: .unicode, formatting: ConsoleFixtures.formatting)
                .render(ConsoleFixtures.state(.alerts, width: 100, height: 30))
            screen.paint(grid)
            let styles = Theme.dark.resolved(for: .colors256)
            for (x, y) in [(5, 4), (12, 5), (60, 0), (3, 1)] {
                let role = grid[x, y].role
                let painted = cell(screen, x: x, y: y)
                XCTAssertEqual(painted.foreground, Int32(styles[role]!.foreground), "fg of \(role.rawValue) at \(x),\(y)")
                XCTAssertEqual(painted.background, Int32(styles[role]!.background), "bg of \(role.rawValue) at \(x),\(y)")
                XCTAssertEqual(painted.attributes & opsbrain_a_bold() != 0, styles[role]!.attributes.contains(.bold), "bold of \(role.rawValue)")
            }
            XCTAssertEqual(grid[12, 5].role, .severityHigh)
        }
    }

    func testColourModesFollowTheTerminalAndNoColor() throws {
        for (terminal, noColor, mode) in [("xterm-256color", false, ColorMode.colors256), ("xterm", false, .colors8),
                                          ("vt100", false, .monochrome), ("xterm-256color", true, .monochrome)] {
            try withScreen(terminal: terminal) { screen, _ in
                screen.apply(theme: .dark, noColor: noColor)
                XCTAssertEqual(screen.colorMode, mode, "\(terminal) noColor=\(noColor)")
                let grid = ScreenRenderer(glyphs: .ascii, formatting: ConsoleFixtures.formatting)
                    .render(ConsoleFixtures.state(.alerts, width: 100, height: 30))
                screen.paint(grid)
                let cursor = cell(screen, x: 5, y: 4)
                XCTAssertEqual(grid[5, 4].role, .cursor)
                if mode == .monochrome {
                    XCTAssertNotEqual(cursor.attributes & opsbrain_a_reverse(), 0, "without colour the cursor row is reversed")
                } else {
                    XCTAssertEqual(Int(cursor.background), Theme.dark.resolved(for: mode)[.cursor]!.background)
                }
            }
        }
    }

    func testUnknownTerminalFallsBack() throws {
        try withScreen(terminal: "no-such-terminal-xyz") { screen, _ in
            XCTAssertEqual(screen.terminalName, "xterm-256color")
        }
    }

    func testADumbTerminalIsRefusedWithAClearMessage() throws {
        XCTAssertThrowsError(try withScreen(terminal: "dumb") { _, _ in }) { error in
            XCTAssertTrue("\(error)".contains("TERM=dumb cannot move the cursor"), "\(error)")
        }
    }

    func testKeysAreDecodedFromTheInput() throws {
        try withScreen(terminal: "xterm-256color") { screen, input in
            let bytes: [UInt8] = Array("jé".utf8) + [0x1b, 0x4f, 0x41] + [0x03, 0x0d] + Array("A".utf8) + [0x1b, 0x5b, 0x36, 0x7e] + [0x7f]
            XCTAssertEqual(write(input, bytes, bytes.count), bytes.count)
            var keys: [Key] = []
            let deadline = Date().addingTimeInterval(2)
            while keys.count < 8, Date() < deadline {
                if let key = screen.readKey() { keys.append(key) } else { Thread.sleep(forTimeInterval: 0.01) }
            }
            XCTAssertEqual(keys, [.char("j"), .char("é"), .up, .control("c"), .enter, .char("A"), .pageDown, .backspace])
            XCTAssertNil(screen.readKey(), "nothing waiting: no key, no blocking")
        }
    }

    func testSwitchingThemesRepaintsWithTheNewColours() throws {
        let light = try ThemeLoader(directories: [ThemeTests.themesFolder]).load("light")
        try withScreen(terminal: "xterm-256color") { screen, _ in
            let grid = ScreenRenderer(glyphs: .unicode, formatting: ConsoleFixtures.formatting)
                .render(ConsoleFixtures.state(.alerts, width: 100, height: 30))
            screen.apply(theme: .dark, noColor: false)
            screen.paint(grid)
            screen.apply(theme: light, noColor: false)
            screen.paint(grid)
            let body = cell(screen, x: 50, y: 12)
            XCTAssertEqual(grid[50, 12].role, .body)
            XCTAssertEqual(Int(body.background), light.resolved(for: .colors256)[.body]!.background, "light's white page")
            XCTAssertEqual(Int(cell(screen, x: 5, y: 4).background), light.resolved(for: .colors256)[.cursor]!.background)
        }
    }
}
