import Foundation
import OpsBrainCore
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// `log_rotation` against real log files and the real gzip.
final class LogRotationTests: XCTestCase {
    private let driver = FileOperationDriver()
    private var directory = ""
    private var log: String { directory + "/app.log" }

    override func setUpWithError() throws {
        directory = try TemporaryDirectory.make(prefix: "opsbrain-logrotate")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func rotation(keep: Int? = nil, compress: Bool? = nil) -> FixOperationSpec {
        var parameters: [String: JSONValue] = ["target": .string("app_log")]
        if let keep { parameters["keep"] = .number(Double(keep)) }
        if let compress { parameters["compress"] = .bool(compress) }
        return FixOperationSpec(id: "rotate", name: "rotate", operation: .logRotation, parameters: parameters)
    }

    private var context: StepContext { SystemFixtures.context([SystemFixtures.pathTarget("app_log", log)]) }

    private func generations() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("app.log.") }.sorted()
    }

    func testRotatesCompressesRecreatesAndRollsBack() throws {
        let oldContent = (1...2000).map { "line \($0) of the old log\n" }.joined()
        try SystemFixtures.write(log, oldContent, mode: 0o640)
        try SystemFixtures.writeGzip(directory + "/app.log.1.gz", "generation one\n")
        try SystemFixtures.writeGzip(directory + "/app.log.2.gz", "generation two\n")

        let outcome = driver.execute(rotation(), context: context)
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertEqual(try generations(), ["app.log.1.gz", "app.log.2.gz", "app.log.3.gz"])
        XCTAssertEqual(try SystemFixtures.gunzip(directory + "/app.log.1.gz"), oldContent)
        XCTAssertEqual(try SystemFixtures.gunzip(directory + "/app.log.2.gz"), "generation one\n")
        XCTAssertEqual(try SystemFixtures.gunzip(directory + "/app.log.3.gz"), "generation two\n")
        XCTAssertEqual(SystemFixtures.read(log), Data())
        XCTAssertEqual(try SystemFixtures.mode(log), 0o640)

        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: log))
        handle.write(Data("written after the rotation\n".utf8))
        try handle.close()
        let rollback = driver.rollback(rotation(), undo: try XCTUnwrap(outcome.undo), context: context)
        XCTAssertTrue(rollback.succeeded, rollback.summary)
        XCTAssertEqual(String(decoding: try XCTUnwrap(SystemFixtures.read(log)), as: UTF8.self),
                       oldContent + "written after the rotation\n")
        XCTAssertEqual(try SystemFixtures.mode(log), 0o640)
        XCTAssertEqual(try generations(), ["app.log.1.gz", "app.log.2.gz"])
        XCTAssertEqual(try SystemFixtures.gunzip(directory + "/app.log.1.gz"), "generation one\n")
        XCTAssertEqual(try SystemFixtures.gunzip(directory + "/app.log.2.gz"), "generation two\n")
    }

    func testKeepLimitDropsTheOldestGenerations() throws {
        try SystemFixtures.write(log, "current\n")
        try SystemFixtures.writeGzip(directory + "/app.log.1.gz", "one\n")
        try SystemFixtures.writeGzip(directory + "/app.log.2.gz", "two\n")
        try SystemFixtures.write(directory + "/app.log.3", "three\n")

        let outcome = driver.execute(rotation(keep: 2), context: context)
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertEqual(try generations(), ["app.log.1.gz", "app.log.2.gz"])
        XCTAssertEqual(try SystemFixtures.gunzip(directory + "/app.log.1.gz"), "current\n")
        XCTAssertEqual(try SystemFixtures.gunzip(directory + "/app.log.2.gz"), "one\n")
        XCTAssertEqual(Set(outcome.details["dropped"]?.arrayValue ?? []), [.string("app.log.2.gz"), .string("app.log.3")])

        let rollback = driver.rollback(rotation(keep: 2), undo: try XCTUnwrap(outcome.undo), context: context)
        XCTAssertTrue(rollback.succeeded, rollback.summary)
        XCTAssertTrue(rollback.summary.contains("deleted generation(s) cannot be restored"), rollback.summary)
        XCTAssertEqual(SystemFixtures.read(log), Data("current\n".utf8))
        XCTAssertEqual(try generations(), ["app.log.1.gz"])
        XCTAssertEqual(try SystemFixtures.gunzip(directory + "/app.log.1.gz"), "one\n")
    }

    func testWithoutCompressionTheRotatedFileStaysPlain() throws {
        try SystemFixtures.write(log, "plain content\n", mode: 0o600)
        let outcome = driver.execute(rotation(keep: 3, compress: false), context: context)
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertEqual(try generations(), ["app.log.1"])
        XCTAssertEqual(SystemFixtures.read(directory + "/app.log.1"), Data("plain content\n".utf8))
        XCTAssertEqual(try SystemFixtures.mode(log), 0o600)
        XCTAssertEqual(outcome.undo?["rotated"], .string("app.log.1"))

        let rollback = driver.rollback(rotation(keep: 3, compress: false), undo: try XCTUnwrap(outcome.undo), context: context)
        XCTAssertTrue(rollback.succeeded, rollback.summary)
        XCTAssertEqual(SystemFixtures.read(log), Data("plain content\n".utf8))
        XCTAssertEqual(try generations(), [])
    }

    func testPlanDescribesTheRotation() throws {
        try SystemFixtures.write(log, "x")
        XCTAssertEqual(try driver.plan(rotation(keep: 4), context: context),
                       "rotate \(log): delete app.log.4(.gz) and older generations, rename app.log.1...3(.gz) one up, "
                       + "move the log's content to app.log.1 (renamed and recreated with the same mode and owner when nothing holds it "
                       + "open, copied and truncated in place when its writers append), then gzip app.log.1")
        XCTAssertEqual(try generations(), [])
    }

    func testMissingOrSymlinkedLogsAndForeignUndoRecordsFail() throws {
        let missing = driver.execute(rotation(), context: context)
        XCTAssertFalse(missing.succeeded)
        XCTAssertEqual(missing.summary, "log_rotation 'rotate': log file \(log) does not exist")

        try SystemFixtures.write(directory + "/real.log", "real")
        try FileManager.default.createSymbolicLink(atPath: log, withDestinationPath: directory + "/real.log")
        let symlink = driver.execute(rotation(), context: context)
        XCTAssertEqual(symlink.summary, "log_rotation 'rotate': \(log) is not a regular file (symlinks are not rotated)")
        XCTAssertEqual(SystemFixtures.read(directory + "/real.log"), Data("real".utf8))

        let foreign: JSONValue = .object(["file": .string(log), "shifted": .array([.array([.string("../etc/passwd"), .string("x")])]),
                                          "rotated": .null, "dropped": .array([])])
        XCTAssertEqual(driver.rollback(rotation(), undo: foreign, context: context).summary,
                       "rollback of log_rotation 'rotate': the undo record is not a log_rotation record for \(log)")
        let wrongKind = FixOperationSpec(id: "rotate", name: "rotate", operation: .logRotation, parameters: ["target": .string("cmd")])
        let commandContext = SystemFixtures.context([SystemFixtures.commandTarget("cmd", ["true"])])
        XCTAssertEqual(driver.execute(wrongKind, context: commandContext).summary,
                       "log_rotation 'rotate': target 'cmd' is a command target; expected path")
    }
}
