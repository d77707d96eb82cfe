import XCTest
@testable import OpsBrainConsole

/// The OSC 52 sequence `y` writes to the terminal, plain and inside tmux.
final class ClipboardTests: XCTestCase {
    private let id = "3d9f2ef4-5b6a-4c1e-9a7d-0e2b8f6c1a95"
    private let base64 = "M2Q5ZjJlZjQtNWI2YS00YzFlLTlhN2QtMGUyYjhmNmMxYTk1"

    func testThePlainSequenceCarriesTheIdInBase64() {
        XCTAssertEqual(Clipboard.osc52(copying: id, insideTmux: false), "\u{1b}]52;c;\(base64)\u{07}")
    }

    func testInsideTmuxTheSequenceGoesThroughThePassthrough() {
        XCTAssertEqual(Clipboard.osc52(copying: id, insideTmux: true), "\u{1b}Ptmux;\u{1b}\u{1b}]52;c;\(base64)\u{07}\u{1b}\\",
                       "ESC P tmux; then the sequence with its ESC doubled, then ESC \\")
    }
}
