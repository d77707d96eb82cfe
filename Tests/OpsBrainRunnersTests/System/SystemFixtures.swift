import Foundation
import OpsBrainCore
import OpsBrainPlatform
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Contexts, targets and file helpers for the system runner tests.
enum SystemFixtures {
    /// A context holding `targets`, for a fresh execution.
    static func context(_ targets: [TargetDefinition], executionID: UUID = UUID()) -> StepContext {
        StepContext(executionID: executionID, alert: AlertSnapshot(alertType: "test", title: "system test"),
                    targets: Dictionary(uniqueKeysWithValues: targets.map { ($0.name, $0) }), environment: [:])
    }

    static func pathTarget(_ name: String, _ path: String, quarantine: String? = nil) -> TargetDefinition {
        var fields: [String: JSONValue] = ["path": .string(path)]
        if let quarantine { fields["quarantine"] = .string(quarantine) }
        return TargetDefinition(name: name, kind: .path, fields: fields)
    }

    static func commandTarget(_ name: String, _ argv: [String]) -> TargetDefinition {
        TargetDefinition(name: name, kind: .command, fields: ["argv": .array(argv.map(JSONValue.string))])
    }

    /// Writes `data` to `path` (creating parent folders) and sets its modification time `age` seconds ago.
    static func write(_ path: String, _ data: Data, age: TimeInterval = 0, mode: Int = 0o644) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: mode]))
        try setAge(path, age)
    }

    static func write(_ path: String, _ text: String, age: TimeInterval = 0, mode: Int = 0o644) throws {
        try write(path, Data(text.utf8), age: age, mode: mode)
    }

    /// Sets the modification time of `path` to `age` seconds ago.
    static func setAge(_ path: String, _ age: TimeInterval) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -age)], ofItemAtPath: path)
    }

    /// Random bytes, so content comparisons cannot pass by accident.
    static func randomData(_ count: Int) -> Data {
        Data((0..<count).map { _ in UInt8.random(in: 0...255) })
    }

    static func read(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    /// The permission bits of `path`.
    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    /// The content of a gzip file, decompressed by the real gzip.
    static func gunzip(_ path: String) throws -> String {
        let output = try ProcessRunner.run(["gzip", "-dc", "--", path], timeout: .seconds(10))
        XCTAssertEqual(output.exitCode, 0, output.stderr)
        return output.stdout
    }

    /// Writes `text` gzipped to `path` (ending in `.gz`) with the real gzip.
    static func writeGzip(_ path: String, _ text: String) throws {
        let plain = String(path.dropLast(3))
        try write(plain, text)
        let output = try ProcessRunner.run(["gzip", "--", plain], timeout: .seconds(10))
        XCTAssertEqual(output.exitCode, 0, output.stderr)
        XCTAssertTrue(exists(path))
    }
}
