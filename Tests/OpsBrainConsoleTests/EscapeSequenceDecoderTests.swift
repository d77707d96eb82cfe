import OpsBrainConsole
import XCTest

/// Escape sequences that ncurses passed on byte by byte (TERM not matching the terminal).
final class EscapeSequenceDecoderTests: XCTestCase {
    private func keys(_ text: String) -> [Key] { text.map { $0 == "\u{1b}" ? .escape : .char($0) } }

    func testHomeAndEndAsTildeSequencesAreNotViewSwitches() {
        XCTAssertEqual(EscapeSequenceDecoder.decode(keys("\u{1b}[4~")), [.end], "not Esc then 4 (which shows view 4)")
        XCTAssertEqual(EscapeSequenceDecoder.decode(keys("\u{1b}[1~\u{1b}[7~\u{1b}[8~")), [.home, .home, .end])
        XCTAssertEqual(EscapeSequenceDecoder.decode(keys("\u{1b}[5~\u{1b}[6~\u{1b}[3~")), [.pageUp, .pageDown, .delete])
    }

    func testArrowsInBothModes() {
        XCTAssertEqual(EscapeSequenceDecoder.decode(keys("\u{1b}[A\u{1b}OB\u{1b}[1;5C\u{1b}OD\u{1b}[Z")), [.up, .down, .right, .left, .backTab])
    }

    func testUnknownSequencesAreSwallowedWhole() {
        XCTAssertEqual(EscapeSequenceDecoder.decode(keys("\u{1b}[15~2")), [.char("2")], "F5 is dropped, the key after it stays")
        XCTAssertEqual(EscapeSequenceDecoder.decode(keys("\u{1b}[<0;12;5M")), [], "a mouse report without --mouse")
        XCTAssertEqual(EscapeSequenceDecoder.decode(keys("\u{1b}OP")), [], "F1")
        XCTAssertEqual(EscapeSequenceDecoder.decode(keys("\u{1b}[2")), [], "cut off at the end of the burst")
    }

    func testALoneEscIsTheEscKey() {
        XCTAssertEqual(EscapeSequenceDecoder.decode([.escape]), [.escape])
        XCTAssertEqual(EscapeSequenceDecoder.decode(keys("\u{1b}q")), [.escape, .char("q")])
        XCTAssertEqual(EscapeSequenceDecoder.decode([.escape, .escape]), [.escape, .escape])
    }
}
