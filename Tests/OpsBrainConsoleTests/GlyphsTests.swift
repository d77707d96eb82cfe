import OpsBrainConsole
import XCTest

/// What reaches a terminal without a UTF-8 locale.
final class GlyphsTests: XCTestCase {
    func testTypographicCharactersBecomeASCIIRatherThanQuestionMarks() {
        XCTAssertEqual(Glyphs.ascii.clean("mode auto · attempt 1"), "mode auto - attempt 1")
        XCTAssertEqual(Glyphs.ascii.clean("Seen 1× · first"), "Seen 1x - first")
        XCTAssertEqual(Glyphs.ascii.clean("error_pct 2.99 ≥ 1 ✗ → escalate…"), "error_pct 2.99 >= 1 x -> escalate...")
    }

    func testOtherCharactersStillBecomeAQuestionMarkAndControlsNeverPass() {
        XCTAssertEqual(Glyphs.ascii.clean("磁盘 full\u{1b}[2J"), "?? full?[2J")
        XCTAssertEqual(Glyphs.unicode.clean("mode auto · 1×"), "mode auto · 1×")
    }
}
