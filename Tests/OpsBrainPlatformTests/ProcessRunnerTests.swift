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
}
