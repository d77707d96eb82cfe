import Foundation
import OpsBrainCore
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// `log_rotation` with a real process writing the log: the rotation ends with the writer writing
/// into the file at the log's path, no deleted file held open, and the space freed; or it refuses.
final class LogRotationWriterTests: XCTestCase {
    private let driver = FileOperationDriver()
    private var directory = ""
    private var writer: Process?
    private var log: String { directory + "/app.log" }

    override func setUpWithError() throws {
        directory = try TemporaryDirectory.make(prefix: "opsbrain-logwriter")
        try SystemFixtures.write(log, String(repeating: "ERROR a stack trace line the app wrote earlier\n", count: 100_000), mode: 0o644)
    }

    override func tearDownWithError() throws {
        writer?.terminate()
        writer?.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A Python process that writes a line every 50 ms into the log opened with `mode`; on SIGHUP,
    /// when `reopensOnHUP`, it closes and reopens the path (what `nginx -s reopen` does).
    private func startWriter(mode: String, reopensOnHUP: Bool = false) throws -> pid_t {
        let script = """
            import os, signal, sys, time
            path, mode = sys.argv[1], sys.argv[2]
            state = {"file": open(path, mode), "reopen": False}
            if sys.argv[3] == "1":
                signal.signal(signal.SIGHUP, lambda *_: state.update(reopen=True))
            else:
                signal.signal(signal.SIGHUP, signal.SIG_IGN)
            print("ready", flush=True)
            while True:
                if state["reopen"]:
                    state["file"].close(); state["file"] = open(path, mode); state["reopen"] = False
                state["file"].write("a new line %f\\n" % time.time()); state["file"].flush()
                time.sleep(0.05)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script, log, mode, reopensOnHUP ? "1" : "0"]
        let ready = Pipe()
        process.standardOutput = ready
        try process.run()
        writer = process
        _ = ready.fileHandleForReading.availableData   // "ready": the log is open
        return process.processIdentifier
    }

    private func rotation() -> FixOperationSpec {
        FixOperationSpec(id: "rotate", name: "rotate", operation: .logRotation, parameters: ["target": .string("app_log")])
    }

    private func context(reopen: [String]? = nil) -> StepContext {
        var target = SystemFixtures.pathTarget("app_log", log)
        if let reopen { target.fields["reopen"] = .array(reopen.map(JSONValue.string)) }
        return SystemFixtures.context([target])
    }

    /// The files `pid` holds open that are deleted, by their /proc link.
    private func deletedFiles(heldBy pid: pid_t) -> [String] {
        let folder = "/proc/\(pid)/fd"
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).compactMap {
            try? FileManager.default.destinationOfSymbolicLink(atPath: folder + "/" + $0)
        }.filter { $0.hasSuffix(" (deleted)") }
    }

    private func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? -1
    }

    /// True when the log at its path grows within two seconds: the writer's new lines land there.
    private func newLinesLand() -> Bool {
        let before = size(log)
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline {
            if size(log) > before { return true }
            usleep(50_000)
        }
        return false
    }

    func testAnAppendingWriterKeepsWritingIntoTheLiveFileAndTheSpaceIsFreed() throws {
        let pid = try startWriter(mode: "a")
        let before = size(log)
        let outcome = driver.execute(rotation(), context: context())
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertEqual(outcome.details.objectValue?["method"], .string("copy_and_truncate"))
        XCTAssertEqual(deletedFiles(heldBy: pid), [], "no deleted file is held open: the space is really free")
        XCTAssertLessThan(size(log), before / 10, "the live log was emptied in place")
        XCTAssertTrue(newLinesLand(), "the writer's new lines land in the file at the log's path")
        XCTAssertGreaterThan(outcome.details.objectValue?["bytes_freed"]?.doubleValue ?? 0, Double(before) / 2)
        XCTAssertTrue(try SystemFixtures.gunzip(log + ".1.gz").hasPrefix("ERROR a stack trace line"), "the old content is kept, compressed")
        XCTAssertNil(outcome.undo, "a truncation in place cannot be undone, and says so by leaving no undo")
    }

    func testAWriterWithoutAppendIsRefusedAndNothingChanges() throws {
        let pid = try startWriter(mode: "r+")   // a writer without O_APPEND: neither truncating nor renaming is safe
        let before = size(log)
        let outcome = driver.execute(rotation(), context: context())
        XCTAssertFalse(outcome.succeeded)
        XCTAssertTrue(outcome.summary.contains("holds \(log) open without O_APPEND") && outcome.summary.contains("declare 'reopen'"), outcome.summary)
        XCTAssertGreaterThanOrEqual(size(log), before, "nothing was changed")
        XCTAssertFalse(FileManager.default.fileExists(atPath: log + ".1"))
        XCTAssertEqual(deletedFiles(heldBy: pid), [])
    }

    func testADeclaredReopenMovesTheWriterToTheNewFile() throws {
        let pid = try startWriter(mode: "a", reopensOnHUP: true)
        let outcome = driver.execute(rotation(), context: context(reopen: ["/bin/kill", "-HUP", "\(pid)"]))
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertEqual(outcome.details.objectValue?["method"], .string("rename_and_reopen"))
        XCTAssertEqual(deletedFiles(heldBy: pid), [], "the writer let go of the rotated file")
        XCTAssertTrue(newLinesLand())
        XCTAssertNotNil(outcome.undo, "a rename can be undone")
    }

    func testAWriterThatIgnoresTheReopenFailsTheRotation() throws {
        let pid = try startWriter(mode: "a", reopensOnHUP: false)
        let outcome = driver.execute(rotation(), context: context(reopen: ["/bin/kill", "-HUP", "\(pid)"]))
        XCTAssertFalse(outcome.succeeded)
        XCTAssertTrue(outcome.summary.contains("process \(pid) still writes into the rotated file"), outcome.summary)
    }
}
