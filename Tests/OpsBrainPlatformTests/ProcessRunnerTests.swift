@testable import OpsBrainPlatform
import OpsBrainTestSupport
import XCTest

/// Commands run as argv with timeouts and output caps.
final class ProcessRunnerTests: XCTestCase {
    func testArgumentsAreNotInterpretedByAShell() throws {
        let output = try ProcessRunner.run(["/bin/echo", "a; touch /tmp/ob-should-not-exist", "$HOME"])
        XCTAssertEqual(output.exitCode, 0)
        XCTAssertEqual(output.stdout, "a; touch /tmp/ob-should-not-exist $HOME\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/ob-should-not-exist"))
    }

    func testHungCommandIsKilledAtItsTimeout() throws {
        let start = ContinuousClock.now
        let output = try ProcessRunner.run(["sleep", "30"], timeout: .milliseconds(300))
        XCTAssertTrue(output.timedOut)
        XCTAssertEqual(output.exitCode, 128 + 9)
        XCTAssertLessThan(start.duration(to: .now), .seconds(10))
    }

    func testTimeoutKillsTheWholeProcessGroup() throws {
        // The grandchild keeps the pipe open; killing only the child would leave us waiting.
        let output = try ProcessRunner.run(["sh", "-c", "sleep 30 & sleep 30"], timeout: .milliseconds(300))
        XCTAssertTrue(output.timedOut)
    }

    func testTimeoutHoldsWhenTheChildClosesItsPipes() throws {
        for watch in [ChildExit.Watch.pidfd, .waitpid] {
            let pidFile = try temporaryFile()
            let start = ContinuousClock.now
            let output = try ProcessRunner.run(["sh", "-c", "echo $$ > '\(pidFile)'; exec >/dev/null 2>&1; sleep 8"],
                                               environment: [:], timeout: .seconds(1), outputLimit: 1024, watch: watch)
            XCTAssertTrue(output.timedOut, "\(watch)")
            XCTAssertEqual(output.exitCode, 128 + 9, "\(watch)")
            XCTAssertLessThan(start.duration(to: .now), .seconds(4), "\(watch)")
            XCTAssertTrue(ProcessTable.groupEnds(try Self.pid(in: pidFile)), "the sleep outlived the timeout (\(watch))")
        }
    }

    func testGrandchildHoldingThePipesDoesNotHoldTheRunner() throws {
        for watch in [ChildExit.Watch.pidfd, .waitpid] {
            let pidFile = try temporaryFile()
            let start = ContinuousClock.now
            let output = try ProcessRunner.run(["sh", "-c", "echo $$ > '\(pidFile)'; echo started; sleep 8 &"],
                                               environment: [:], timeout: .seconds(6), outputLimit: 1024, watch: watch)
            kill(-(try Self.pid(in: pidFile)), SIGKILL)
            XCTAssertFalse(output.timedOut, "the child itself exited at once (\(watch))")
            XCTAssertEqual(output.exitCode, 0, "\(watch)")
            XCTAssertEqual(output.stdout, "started\n", "\(watch)")
            XCTAssertLessThan(start.duration(to: .now), .seconds(3), "\(watch)")
        }
    }

    func testOutputIsCappedAndMarkedTruncated() throws {
        let output = try ProcessRunner.run(["head", "-c", "100000", "/dev/zero"], outputLimit: 1000)
        XCTAssertEqual(output.stdout.utf8.count, 1000)
        XCTAssertTrue(output.truncated)
    }

    func testExitCodeAndStderrAreKept() throws {
        let output = try ProcessRunner.run(["ls", "/definitely/not/here"])
        XCTAssertNotEqual(output.exitCode, 0)
        XCTAssertTrue(output.stderr.contains("/definitely/not/here"))
    }

    func testMissingProgramIsAClearError() {
        XCTAssertThrowsError(try ProcessRunner.run(["no-such-program-xyz"])) { error in
            XCTAssertTrue("\(error)".contains("no-such-program-xyz"), "\(error)")
        }
    }

    /// The pid a shell wrote to `file` (also its process group: the runner makes it a group leader).
    static func pid(in file: String) throws -> pid_t {
        try XCTUnwrap(pid_t(String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// A path in a fresh temporary folder, removed after the test.
    func temporaryFile() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ob-runner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder.appendingPathComponent("file").path
    }
}
