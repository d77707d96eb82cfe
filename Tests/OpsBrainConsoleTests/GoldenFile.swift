import Foundation
import OpsBrainConsole
import XCTest

/// Compares rendered screens (text and roles) with the files under `Golden/`; set
/// `OPSBRAIN_UPDATE_GOLDEN=1` to write them instead (then review the diff).
enum GoldenFile {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func check(_ grid: CellGrid, named name: String, file: StaticString = #filePath, line: UInt = #line) {
        let actual = "\(grid.width)x\(grid.height)\n" + grid.text + "\n--- roles ---\n" + grid.roleRuns + "\n"
        let url = folder.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["OPSBRAIN_UPDATE_GOLDEN"] == "1" {
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try? actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            XCTFail("no golden file \(url.path); run with OPSBRAIN_UPDATE_GOLDEN=1 to create it", file: file, line: line)
            return
        }
        if expected != actual {
            let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let first = zip(expectedLines, actualLines).enumerated().first { $0.element.0 != $0.element.1 }
            let where_ = first.map { "line \($0.offset + 1):\n  expected: \($0.element.0)\n  actual:   \($0.element.1)" } ?? "length differs"
            XCTFail("screen \(name) differs from its golden file at \(where_)", file: file, line: line)
        }
    }
}
