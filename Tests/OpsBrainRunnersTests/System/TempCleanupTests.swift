import Foundation
import OpsBrainCore
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// `temp_cleanup` against a real directory tree: what moves, what stays, and the way back.
final class TempCleanupTests: XCTestCase {
    private var root = ""
    /// The driver, with Ops Brain's state folder inside this test's folder.
    private var driver: FileOperationDriver { FileOperationDriver(quarantine: TempQuarantine(stateFolder: root + "/state")) }
    private var directory = ""

    override func setUpWithError() throws {
        root = try TemporaryDirectory.make(prefix: "opsbrain-cleanup")
        directory = root + "/temp"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    private func cleanup(olderThan: String = "1d", pattern: String? = nil) -> FixOperationSpec {
        var parameters: [String: JSONValue] = ["target": .string("app_temp"), "older_than": .string(olderThan)]
        if let pattern { parameters["pattern"] = .string(pattern) }
        return FixOperationSpec(id: "clean", name: "clean temp", operation: .tempCleanup, parameters: parameters)
    }

    private func context(quarantine: String? = nil, executionID: UUID = UUID()) -> StepContext {
        SystemFixtures.context([SystemFixtures.pathTarget("app_temp", directory, quarantine: quarantine)], executionID: executionID)
    }

    func testMovesOnlyOldMatchingFilesAndRollbackRestoresThemByteForByte() throws {
        let oldContent = SystemFixtures.randomData(70_000)
        let nestedContent = SystemFixtures.randomData(1234)
        try SystemFixtures.write(directory + "/old.tmp", oldContent, age: 2 * 86400)
        try SystemFixtures.write(directory + "/nested/deep/old2.tmp", nestedContent, age: 3 * 86400)
        try SystemFixtures.write(directory + "/new.tmp", "fresh", age: 60)
        try SystemFixtures.write(directory + "/old.keep", "not matching", age: 5 * 86400)
        let executionID = UUID()
        let context = context(executionID: executionID)
        let quarantine = "\(root)/state/quarantine/\(executionID.uuidString.lowercased())"

        let outcome = driver.execute(cleanup(pattern: "*.tmp"), context: context)
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertEqual(outcome.details["moved"], .number(2))
        XCTAssertEqual(outcome.details["bytes"], .number(Double(oldContent.count + nestedContent.count)))
        XCTAssertEqual(outcome.undo?["quarantine"], .string(quarantine))
        XCTAssertEqual(Set(outcome.undo?["files"]?.arrayValue ?? []), [.string("old.tmp"), .string("nested/deep/old2.tmp")])
        XCTAssertFalse(SystemFixtures.exists(directory + "/old.tmp"))
        XCTAssertFalse(SystemFixtures.exists(directory + "/nested/deep/old2.tmp"))
        XCTAssertEqual(SystemFixtures.read(quarantine + "/old.tmp"), oldContent)
        XCTAssertEqual(SystemFixtures.read(quarantine + "/nested/deep/old2.tmp"), nestedContent)
        XCTAssertEqual(SystemFixtures.read(directory + "/new.tmp"), Data("fresh".utf8))
        XCTAssertEqual(SystemFixtures.read(directory + "/old.keep"), Data("not matching".utf8))

        let rollback = driver.rollback(cleanup(pattern: "*.tmp"), undo: try XCTUnwrap(outcome.undo), context: context)
        XCTAssertTrue(rollback.succeeded, rollback.summary)
        XCTAssertEqual(rollback.details["restored"], .number(2))
        XCTAssertEqual(SystemFixtures.read(directory + "/old.tmp"), oldContent)
        XCTAssertEqual(SystemFixtures.read(directory + "/nested/deep/old2.tmp"), nestedContent)
        let age = Date().timeIntervalSince(try FileManager.default.attributesOfItem(atPath: directory + "/old.tmp")[.modificationDate] as! Date)
        XCTAssertEqual(age, 2 * 86400, accuracy: 5, "the modification time is kept")
        XCTAssertFalse(SystemFixtures.exists(directory + "/.opsbrain-quarantine"), "the emptied quarantine is removed")
    }

    func testManyFoldersMoveAndComeBack() throws {
        for index in 0..<150 { try SystemFixtures.write(directory + "/d\(index)/sub/f.tmp", "file \(index)", age: 2 * 86400) }
        let context = context()
        let outcome = driver.execute(cleanup(), context: context)
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertEqual(outcome.details["moved"], .number(150))
        let rollback = driver.rollback(cleanup(), undo: try XCTUnwrap(outcome.undo), context: context)
        XCTAssertTrue(rollback.succeeded, rollback.summary)
        for index in 0..<150 { XCTAssertEqual(SystemFixtures.read(directory + "/d\(index)/sub/f.tmp"), Data("file \(index)".utf8)) }
        XCTAssertFalse(SystemFixtures.exists(directory + "/.opsbrain-quarantine"))
    }

    func testSymlinksAreNeitherFollowedNorMoved() throws {
        let outside = root + "/outside"
        try SystemFixtures.write(outside + "/secret.tmp", "outside file", age: 9 * 86400)
        try SystemFixtures.write(outside + "/dir/inner.tmp", "outside dir file", age: 9 * 86400)
        try FileManager.default.createSymbolicLink(atPath: directory + "/link.tmp", withDestinationPath: outside + "/secret.tmp")
        try FileManager.default.createSymbolicLink(atPath: directory + "/linkdir", withDestinationPath: outside + "/dir")
        try SystemFixtures.write(directory + "/own.tmp", "own", age: 9 * 86400)

        let outcome = driver.execute(cleanup(olderThan: "1h"), context: context())
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertEqual(outcome.undo?["files"], .array([.string("own.tmp")]))
        XCTAssertEqual(SystemFixtures.read(outside + "/secret.tmp"), Data("outside file".utf8))
        XCTAssertEqual(SystemFixtures.read(outside + "/dir/inner.tmp"), Data("outside dir file".utf8))
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: directory + "/link.tmp"), outside + "/secret.tmp")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: directory + "/linkdir"), outside + "/dir")
    }

    func testRollbackRefusesToOverwriteAFileThatReappeared() throws {
        try SystemFixtures.write(directory + "/cache.tmp", "original", age: 2 * 86400)
        try SystemFixtures.write(directory + "/other.tmp", "other", age: 2 * 86400)
        let context = context()
        let outcome = driver.execute(cleanup(), context: context)
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        try SystemFixtures.write(directory + "/cache.tmp", "written after the cleanup")

        let rollback = driver.rollback(cleanup(), undo: try XCTUnwrap(outcome.undo), context: context)
        XCTAssertFalse(rollback.succeeded)
        XCTAssertTrue(rollback.summary.contains("1 left in quarantine because a file reappeared at the same path: cache.tmp"),
                      rollback.summary)
        XCTAssertEqual(SystemFixtures.read(directory + "/cache.tmp"), Data("written after the cleanup".utf8))
        XCTAssertEqual(SystemFixtures.read(directory + "/other.tmp"), Data("other".utf8))
        let quarantine = try XCTUnwrap(outcome.undo?["quarantine"]?.stringValue)
        XCTAssertEqual(SystemFixtures.read(quarantine + "/cache.tmp"), Data("original".utf8), "the old copy stays in quarantine")
    }

    func testAConfiguredQuarantineInsideTheDirectoryIsNeverCleanedItself() throws {
        let held = directory + "/held"
        try SystemFixtures.write(directory + "/a.tmp", "a", age: 2 * 86400)
        let first = driver.execute(cleanup(), context: context(quarantine: held))
        XCTAssertTrue(first.succeeded, first.summary)
        let quarantine = try XCTUnwrap(first.undo?["quarantine"]?.stringValue)
        XCTAssertTrue(quarantine.hasPrefix(held + "/"))
        XCTAssertEqual(SystemFixtures.read(quarantine + "/a.tmp"), Data("a".utf8))

        let second = driver.execute(cleanup(olderThan: "0s"), context: context(quarantine: held))
        XCTAssertTrue(second.succeeded, second.summary)
        XCTAssertEqual(second.details["moved"], .number(0))
        XCTAssertEqual(SystemFixtures.read(quarantine + "/a.tmp"), Data("a".utf8))
    }

    func testAQuarantineOnAnotherFilesystemIsRefusedBeforeAnythingMoves() throws {
        let other = "/dev/shm/opsbrain-quarantine-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: other) }
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        let devices = try [directory, other].map { try FileManager.default.attributesOfItem(atPath: $0)[.systemNumber] as? NSNumber }
        try XCTSkipIf(devices[0] == devices[1], "/dev/shm is on the same filesystem as /tmp here")
        try SystemFixtures.write(directory + "/old.tmp", "old", age: 2 * 86400)
        let outcome = driver.execute(cleanup(), context: context(quarantine: other))
        XCTAssertFalse(outcome.succeeded)
        XCTAssertEqual(outcome.summary, "temp_cleanup 'clean': quarantine \(other) is not on the same filesystem as \(directory)")
        XCTAssertTrue(SystemFixtures.exists(directory + "/old.tmp"))
    }

    func testTheTimeoutStopsTheWalkAndKeepsTheUndoRecord() throws {
        for index in 0..<20 { try SystemFixtures.write(directory + "/f\(index).tmp", "x", age: 2 * 86400) }
        var operation = cleanup()
        operation.timeout = .zero
        let outcome = driver.execute(operation, context: context())
        XCTAssertFalse(outcome.succeeded)
        XCTAssertTrue(outcome.summary.hasSuffix("stopped at the 0s timeout"), outcome.summary)
        XCTAssertEqual(outcome.details["timed_out"], .bool(true))
        XCTAssertEqual(outcome.undo?["files"]?.arrayValue?.count, outcome.details["moved"]?.doubleValue.map { Int($0) })
    }

    func testNothingToMoveLeavesNoQuarantineBehind() throws {
        try SystemFixtures.write(directory + "/young.tmp", "young", age: 10)
        let outcome = driver.execute(cleanup(), context: context())
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertEqual(outcome.undo?["files"], .array([]))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["young.tmp"])
    }

    func testPlanSaysWhatWouldMoveWhereWithoutMovingIt() throws {
        try SystemFixtures.write(directory + "/old.tmp", "old", age: 2 * 86400)
        let executionID = UUID()
        let plan = try driver.plan(cleanup(olderThan: "12h", pattern: "*.tmp"), context: context(executionID: executionID))
        XCTAssertEqual(plan, "move regular files under \(directory) (recursively, not following symlinks) last modified more than 12h "
                       + "ago and named like '*.tmp' into \(root)/state/quarantine/\(executionID.uuidString.lowercased())/, "
                       + "keeping their relative paths, for 24h")
        XCTAssertTrue(SystemFixtures.exists(directory + "/old.tmp"))
    }

    func testBadTargetsDirectoriesAndUndoRecordsFail() throws {
        let missingTarget = FixOperationSpec(id: "clean", name: "clean", operation: .tempCleanup, parameters: ["target": .string("nope")])
        XCTAssertEqual(driver.execute(missingTarget, context: context()).summary,
                       "temp_cleanup 'clean': target 'nope' is not defined in the config")
        XCTAssertThrowsError(try driver.plan(missingTarget, context: context()))
        try FileManager.default.removeItem(atPath: directory)
        let gone = driver.execute(cleanup(), context: context())
        XCTAssertFalse(gone.succeeded)
        XCTAssertEqual(gone.summary, "temp_cleanup 'clean': cannot read \(directory): No such file or directory")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try SystemFixtures.write(root + "/victim", "must stay")
        let executionID = UUID()
        let hostile: JSONValue = .object([
            "directory": .string(directory),
            "quarantine": .string("\(root)/state/quarantine/\(executionID.uuidString.lowercased())"),
            "files": .array([.string("../../victim")]),
        ])
        let rollback = driver.rollback(cleanup(), undo: hostile, context: context(executionID: executionID))
        XCTAssertEqual(rollback.summary, "rollback of temp_cleanup 'clean': the undo record holds an unsafe path: ../../victim")
        XCTAssertEqual(SystemFixtures.read(root + "/victim"), Data("must stay".utf8))
    }
}

/// temp_cleanup frees what it promises: the directory shrinks at once (its quarantine is outside
/// it), the quarantine is purged when the rollback window ends, and `keep_for: 0s` gives the disk
/// space back at once.
extension TempCleanupTests {
    private func driver(retention: Duration = .seconds(86400)) -> FileOperationDriver {
        FileOperationDriver(quarantine: TempQuarantine(stateFolder: root + "/state", retention: retention))
    }

    private func cleanup(keepFor: String) -> FixOperationSpec {
        var operation = cleanup()
        operation.parameters["keep_for"] = .string(keepFor)
        return operation
    }

    /// Bytes of every file under `path`, subfolders included.
    private func bytes(under path: String) -> Int {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return 0 }
        var total = 0
        while let name = walker.nextObject() as? String {
            total += ((try? FileManager.default.attributesOfItem(atPath: path + "/" + name))?[.size] as? NSNumber)?.intValue ?? 0
        }
        return total
    }

    private func freeBytes() -> Double {
        var info = statvfs()
        _ = statvfs(directory, &info)
        return Double(info.f_bavail) * Double(info.f_frsize)
    }

    func testTheDirectoryShrinksBecauseTheQuarantineIsOutsideIt() throws {
        for index in 1...20 { try SystemFixtures.write(directory + "/tmp\(index)", String(repeating: "x", count: 50_000), age: 2 * 86400) }
        XCTAssertEqual(bytes(under: directory), 1_000_000)
        let outcome = driver().execute(cleanup(), context: context())
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertEqual(bytes(under: directory), 0, "nothing of the moved files is left under the cleaned directory")
        let quarantine = try XCTUnwrap(outcome.undo?["quarantine"]?.stringValue)
        XCTAssertTrue(quarantine.hasPrefix(root + "/state/quarantine/"), quarantine)
        XCTAssertEqual(bytes(under: quarantine), 1_000_000)
    }

    func testAQuarantinePastItsRollbackWindowIsPurgedAndItsRollbackSaysSo() throws {
        try SystemFixtures.write(directory + "/old.tmp", "old", age: 2 * 86400)
        let first = driver(retention: .seconds(60)).execute(cleanup(), context: context())
        XCTAssertTrue(first.succeeded, first.summary)
        let quarantine = try XCTUnwrap(first.undo?["quarantine"]?.stringValue)
        let expired = Date().addingTimeInterval(-120)
        try FileManager.default.setAttributes([.modificationDate: expired], ofItemAtPath: quarantine)
        let second = driver(retention: .seconds(60)).execute(cleanup(), context: context())
        XCTAssertTrue(second.summary.contains("purged 1 expired quarantine folder(s)"), second.summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: quarantine))
        let rollback = driver(retention: .seconds(60)).rollback(cleanup(), undo: try XCTUnwrap(first.undo), context: context())
        XCTAssertFalse(rollback.succeeded)
        XCTAssertTrue(rollback.summary.contains("is gone: it is purged 1m after the cleanup"), rollback.summary)
    }

    func testKeepForZeroDeletesAndTheDiskSpaceComesBackAtOnce() throws {
        let size = 64 << 20
        try SystemFixtures.write(directory + "/huge.tmp", String(repeating: "x", count: size), age: 2 * 86400)
        let before = freeBytes()
        let outcome = driver().execute(cleanup(keepFor: "0s"), context: context())
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertTrue(outcome.summary.hasPrefix("Deleted 1 file(s)"), outcome.summary)
        XCTAssertNil(outcome.undo, "a deletion cannot be rolled back, and leaves no undo")
        XCTAssertGreaterThan(freeBytes() - before, Double(size) * 0.75, "df: the filesystem got the file's space back")
    }
}
