import Foundation
import OpsBrainSandbox
import OpsBrainTestSupport
import XCTest

/// A detached program gets its log as stdout and stderr, its own session, and nothing else of ours.
final class DetachedProcessTests: XCTestCase {
    private var log: String!

    override func setUpWithError() throws {
        log = try TemporaryDirectory.make(prefix: "ob-detached") + "/service.log"
    }

    func testDetachedChildHoldsOnlyStdinAndItsLog() throws {
        let file = open("/etc/hostname", O_RDONLY)   // no O_CLOEXEC
        defer { close(file) }
        let argv = ["sleep", "7.\(Int.random(in: 100_000...999_999))"]
        let pid = try DetachedProcess.spawn(argv, log: log)
        defer { DetachedProcess.stop(pid: pid, grace: 1) }
        XCTAssertTrue(waitUntil { ProcessTable.argv(pid) == argv }, "the child did not exec sleep")

        XCTAssertEqual(ProcessTable.descriptors(of: pid), [0: "/dev/null", 1: log, 2: log])
        XCTAssertEqual(getsid(pid), pid, "the child leads its own session")
    }

    func testDetachedChildSeesTheBaseAndTheGivenVariablesOnly() throws {
        setenv("OB_TEST_API_TOKEN", "hunter2-from-headers_env", 1)
        defer { unsetenv("OB_TEST_API_TOKEN") }
        let pid = try DetachedProcess.spawn(["env"], log: log, environment: ["OB_DECLARED": "yes"])
        var status: Int32 = 0
        XCTAssertEqual(waitpid(pid, &status, 0), pid)

        let text = try String(contentsOfFile: log, encoding: .utf8)
        let names = Set(text.split(separator: "\n").compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) })
        XCTAssertEqual(names, ["PATH", "LANG", "HOME", "OB_DECLARED"], text)
        XCTAssertTrue(text.contains("OB_DECLARED=yes\n"), text)
    }

    // MARK: Helpers

    /// Polls `condition` every 20 ms for up to five seconds.
    private func waitUntil(_ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }
}
