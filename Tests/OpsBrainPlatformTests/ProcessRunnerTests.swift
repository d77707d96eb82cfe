import OpsBrainPlatform
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
        let pidFile = try temporaryFile()
        let start = ContinuousClock.now
        let output = try ProcessRunner.run(["sh", "-c", "echo $$ > '\(pidFile)'; exec >/dev/null 2>&1; sleep 8"],
                                           timeout: .seconds(1))
        XCTAssertTrue(output.timedOut)
        XCTAssertLessThan(start.duration(to: .now), .seconds(4))
        let group = try XCTUnwrap(pid_t(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertTrue(ProcessTable.groupEnds(group), "the sleep outlived the timeout")
    }

    func testGrandchildHoldingThePipesDoesNotHoldTheRunner() throws {
        let pidFile = try temporaryFile()
        let start = ContinuousClock.now
        let output = try ProcessRunner.run(["sh", "-c", "echo $$ > '\(pidFile)'; echo started; sleep 8 &"],
                                           timeout: .seconds(6))
        let group = try XCTUnwrap(pid_t(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(-group, SIGKILL)
        XCTAssertFalse(output.timedOut, "the child itself exited at once")
        XCTAssertEqual(output.exitCode, 0)
        XCTAssertEqual(output.stdout, "started\n")
        XCTAssertLessThan(start.duration(to: .now), .seconds(3))
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

    /// A path in a fresh temporary folder, removed after the test.
    func temporaryFile() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ob-runner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder.appendingPathComponent("file").path
    }
}
