import CNcurses
import XCTest
@testable import OpsBrainConsole

/// ncurses' button states into mouse events, the reports ncurses leaves undecoded when mouse reporting is off,
/// and mouse keys through the escape-sequence decoder.
final class MouseDecoderTests: XCTestCase {
    func testButtonStatesBecomeClicksAndWheelTurns() {
        XCTAssertEqual(MouseDecoder.event(x: 9, y: 5, buttons: opsbrain_button1_clicked()), MouseEvent(x: 9, y: 5, kind: .click))
        XCTAssertEqual(MouseDecoder.event(x: 9, y: 5, buttons: opsbrain_button1_pressed())?.kind, .click, "held down: a click all the same")
        XCTAssertEqual(MouseDecoder.event(x: 0, y: 0, buttons: opsbrain_wheel_up())?.kind, .wheelUp)
        XCTAssertEqual(MouseDecoder.event(x: 0, y: 0, buttons: opsbrain_wheel_down())?.kind, .wheelDown)
        XCTAssertNil(MouseDecoder.event(x: 0, y: 0, buttons: 0), "a button the console does not use")
        XCTAssertEqual(MouseDecoder.mask, opsbrain_button1_pressed() | opsbrain_button1_clicked() | opsbrain_wheel_up() | opsbrain_wheel_down())
    }

    private func taken(_ text: String, sgr: Bool = true) -> (taken: String, complete: Bool) {
        var report = UndecodedMouseReport(sgr: sgr)
        var taken = ""
        for character in text where !report.complete {
            guard report.take(character) else { break }
            taken.append(character)
        }
        return (taken, report.complete)
    }

    func testAnSGRReportEndsAtItsFinalLetter() {
        XCTAssertTrue(taken("0;10;6M6").taken == "0;10;6M" && taken("0;10;6M6").complete, "the 6 after it is a key")
        XCTAssertEqual(taken("64;3;4m").taken, "64;3;4m")
        XCTAssertTrue(taken("0;1q").taken == "0;1" && taken("0;1q").complete, "cut off: q is a key of its own")
        XCTAssertFalse(taken("0;10").complete, "still waiting for the rest")
    }

    func testAnX10ReportIsThreeBytes() {
        XCTAssertEqual(taken("0*&j", sgr: false).taken, "0*&", "any byte: button 1 with Ctrl is a 0")
        XCTAssertTrue(taken(" *&", sgr: false).complete)
    }

    func testAnEndlessReportStops() {
        let long = String(repeating: "1", count: 100)
        XCTAssertEqual(taken(long).taken.count, UndecodedMouseReport.maximumLength)
        XCTAssertTrue(taken(long).complete)
    }

    func testMouseKeysPassTheEscapeSequenceDecoderUntouched() {
        let click = Key.mouse(MouseEvent(x: 9, y: 5, kind: .click))
        XCTAssertEqual(EscapeSequenceDecoder.decode([click, .escape, click]), [click, .escape, click])
        XCTAssertEqual(EscapeSequenceDecoder.decode([.escape, .char("["), click, .char("j")]), [click, .char("j")],
                       "a sequence cut off by a mouse report is dropped, the report kept")
    }
}
