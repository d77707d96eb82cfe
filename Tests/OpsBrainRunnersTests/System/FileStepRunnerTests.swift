import Foundation
import OpsBrainCore
import OpsBrainPlatform
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// `disk_usage` and `file_stat` steps against real files.
final class FileStepRunnerTests: XCTestCase {
    private let runner = FileStepRunner()
    private var directory = ""

    override func setUpWithError() throws {
        directory = try TemporaryDirectory.make(prefix: "opsbrain-filestat")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func run(_ type: StepType, path: String, pattern: String? = nil) -> StepResult {
        var parameters: [String: JSONValue] = ["target": .string("subject")]
        if let pattern { parameters["pattern"] = .string(pattern) }
        let step = StepSpec(id: "files", name: "files", type: type, parameters: parameters)
        return runner.run(step, context: SystemFixtures.context([SystemFixtures.pathTarget("subject", path)]))
    }

    func testDiskUsageOfTmpMatchesDf() throws {
        let result = run(.diskUsage, path: "/tmp")
        XCTAssertNil(result.error)
        let total = try XCTUnwrap(result.values["total_bytes"]?.doubleValue)
        let free = try XCTUnwrap(result.values["free_bytes"]?.doubleValue)
        let percent = try XCTUnwrap(result.values["used_percent"]?.doubleValue)
        XCTAssertGreaterThan(total, 0)
        XCTAssertGreaterThan(free, 0)
        XCTAssertLessThanOrEqual(free, total)
        XCTAssertTrue((0...100).contains(percent))
        let df = try ProcessRunner.run(["df", "-P", "-B1", "/tmp"], timeout: .seconds(10))
        let fields = try XCTUnwrap(df.stdout.split(separator: "\n").last).split(separator: " ")
        let dfPercent = try XCTUnwrap(Double(fields[4].dropLast()))
        XCTAssertEqual(percent, dfPercent, accuracy: 1.01, "df says \(fields[4])")
        XCTAssertEqual(total, try XCTUnwrap(Double(fields[1])))
    }

    func testDiskUsageOfAMissingPathFails() {
        let result = run(.diskUsage, path: directory + "/missing")
        XCTAssertEqual(result.error, "step 'files': cannot read filesystem usage of \(directory)/missing: No such file or directory")
    }

    func testFileStatWithPatternCountsSizesAndAgesTheMatches() throws {
        try SystemFixtures.write(directory + "/a.log", String(repeating: "a", count: 100), age: 7200)
        try SystemFixtures.write(directory + "/b.log", String(repeating: "b", count: 50), age: 600)
        try SystemFixtures.write(directory + "/c.txt", String(repeating: "c", count: 1000), age: 86400)
        try SystemFixtures.write(directory + "/nested/d.log", "d", age: 999_999)
        let logs = run(.fileStat, path: directory, pattern: "*.log")
        XCTAssertNil(logs.error)
        XCTAssertEqual(logs.values["exists"], .bool(true))
        XCTAssertEqual(logs.values["file_count"], .number(2))
        XCTAssertEqual(logs.values["size_bytes"], .number(150))
        XCTAssertEqual(try XCTUnwrap(logs.values["age_seconds"]?.doubleValue), 7200, accuracy: 5)

        let everything = run(.fileStat, path: directory)
        XCTAssertEqual(everything.values["file_count"], .number(3))
        XCTAssertEqual(everything.values["size_bytes"], .number(1150))
        XCTAssertEqual(try XCTUnwrap(everything.values["age_seconds"]?.doubleValue), 86400, accuracy: 5)
    }

    func testFileStatOfOneFileAndOfMissingFiles() throws {
        try SystemFixtures.write(directory + "/app.log", String(repeating: "x", count: 4321), age: 90)
        let file = run(.fileStat, path: directory + "/app.log")
        XCTAssertEqual(file.values["exists"], .bool(true))
        XCTAssertEqual(file.values["file_count"], .number(1))
        XCTAssertEqual(file.values["size_bytes"], .number(4321))
        XCTAssertEqual(try XCTUnwrap(file.values["age_seconds"]?.doubleValue), 90, accuracy: 5)

        let missing = run(.fileStat, path: directory + "/gone.log")
        XCTAssertNil(missing.error)
        XCTAssertEqual(missing.values, ["exists": .bool(false), "size_bytes": .number(0), "file_count": .number(0), "age_seconds": .number(0)])

        let noMatch = run(.fileStat, path: directory, pattern: "*.gz")
        XCTAssertEqual(noMatch.values["exists"], .bool(false))
        XCTAssertEqual(noMatch.values["file_count"], .number(0))
    }

    func testAPatternOnAFileAndWrongTargetsFail() throws {
        try SystemFixtures.write(directory + "/app.log", "x")
        XCTAssertEqual(run(.fileStat, path: directory + "/app.log", pattern: "*").error,
                       "step 'files': \(directory)/app.log is not a directory, so a pattern cannot apply")
        XCTAssertEqual(run(.fileStat, path: "relative/path").error, "step 'files': target 'subject' needs an absolute 'path'")
        let step = StepSpec(id: "files", name: "files", type: .diskUsage, parameters: ["target": .string("cmd")])
        let context = SystemFixtures.context([SystemFixtures.commandTarget("cmd", ["true"])])
        XCTAssertEqual(runner.run(step, context: context).error, "step 'files': target 'cmd' is a command target; expected path")
    }
}
