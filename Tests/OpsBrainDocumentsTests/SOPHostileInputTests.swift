import OpsBrainDocuments
import XCTest

/// Hostile files are refused quickly and never stop the other files from loading.
final class SOPHostileInputTests: XCTestCase {
    private func lintWithGoodFile(_ bytes: [UInt8]) -> SOPLintReport {
        SOPLinter.lint([SOPSource(path: "SOPs/infrastructure/bad.md", bytes: bytes),
                        SOPSource(path: "SOPs/infrastructure/disk-filling.md", bytes: Array(SOPFixtures.sop().utf8))],
                       config: SOPFixtures.config)
    }

    private func assertRefused(_ bytes: [UInt8], _ text: String, file: StaticString = #filePath, line: UInt = #line) {
        let start = ContinuousClock.now
        let report = lintWithGoodFile(bytes)
        XCTAssertLessThan(start.duration(to: .now), .seconds(5), "took too long", file: file, line: line)
        XCTAssertEqual(report.documents.map(\.definition.name), ["disk-filling"], "the good file still loads", file: file, line: line)
        let bad = report.issues.filter { $0.file.hasSuffix("bad.md") }
        XCTAssertTrue(bad.contains { $0.message.contains(text) }, "\(bad)", file: file, line: line)
    }

    func testTenMegabyteFile() {
        assertRefused([UInt8](repeating: UInt8(ascii: "a"), count: 10 << 20), "larger than the 256 KiB limit")
    }

    func testBinaryContent() {
        assertRefused(Array("---\nname: x\n".utf8) + [0, 1, 2, 255], "binary content")
        assertRefused([0xC3, 0x28, 0x0A], "not valid UTF-8")
    }

    func testAliasBomb() {
        var yaml = "---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for level in 1..<9 {
            let previous = String(UnicodeScalar(UInt8(96 + level)))
            let name = String(UnicodeScalar(UInt8(97 + level)))
            yaml += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
        }
        assertRefused(Array((yaml + "---\n").utf8), "anchors and aliases are not allowed")
    }

    func testDeepNesting() {
        let deep = "---\nname: " + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000) + "\n---\n"
        assertRefused(Array(deep.utf8), "nested deeper than 16 levels")
        var block = "---\n"
        for level in 0..<40 { block += String(repeating: "  ", count: level) + "k\(level):\n" }
        assertRefused(Array((block + "---\n").utf8), "nested deeper than 16 levels")
    }

    func testNoFrontMatter() {
        assertRefused(Array("# Just a runbook\n\nNo machine part.\n".utf8), "no front matter")
        assertRefused(Array("---\nname: x\n".utf8), "no closing '---'")
    }
}
