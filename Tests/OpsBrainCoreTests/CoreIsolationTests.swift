import Foundation
import XCTest

/// Core is the pure domain: it may use Foundation's value types and parsers (JSON among them) but
/// does no I/O, so none of its sources touches files, processes, the network, the clock's sleep or the console.
final class CoreIsolationTests: XCTestCase {
    private static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/OpsBrainCore")

    private static let forbidden = [
        "FileManager", "FileHandle", "URLSession", "InputStream", "OutputStream", "ProcessInfo", "Process(", "Pipe(",
        "contentsOf:", "contentsOfFile", "atomically:", "fopen(", "fwrite(", "fread(", "getenv(", "socket(", "connect(",
        "Thread.sleep", "usleep(", "NSLog(", "import Glibc", "import Darwin", "import Dispatch", "DispatchQueue",
    ]

    /// Foundation for value types, Synchronization for `Mutex` (the standard library's lock; no I/O).
    private static let allowedImports: Set<Substring> = ["import Foundation", "import Synchronization"]

    func testCoreImportsOnlyFoundationAndDoesNoIO() throws {
        let files = try Self.swiftFiles()
        XCTAssertGreaterThan(files.count, 20, "found Core's sources at \(Self.sources.path)")
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let name = file.lastPathComponent
            for line in text.split(separator: "\n") where line.hasPrefix("import ") {
                XCTAssertTrue(Self.allowedImports.contains(line), "\(name): \(line); Core imports only Foundation and Synchronization")
            }
            for word in Self.forbidden { XCTAssertFalse(text.contains(word), "\(name) uses \(word)") }
            XCTAssertNil(text.range(of: #"(?<![A-Za-z_.])print\("#, options: .regularExpression), "\(name) prints")
        }
    }

    private static func swiftFiles() throws -> [URL] {
        let walker = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        return (walker?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "swift" }
    }
}
