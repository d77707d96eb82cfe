import Foundation
@testable import OpsBrainPlatform
import OpsBrainTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A child gets fds 0-2 and a short, explicit environment: nothing else of the engine's.
final class ChildIsolationTests: XCTestCase {
    func testChildHasOnlyItsThreeStandardDescriptors() throws {
        let socket = try Self.listeningSocket()
        defer { close(socket) }
        let file = open("/etc/hostname", O_RDONLY)   // no O_CLOEXEC, like a careless open elsewhere in the engine
        defer { close(file) }
        XCTAssertEqual(fcntl(socket, F_GETFD) & FD_CLOEXEC, 0)
        XCTAssertEqual(fcntl(file, F_GETFD) & FD_CLOEXEC, 0)

        let run = BackgroundRun(["sleep", Self.uniqueSeconds()])
        let pid = try XCTUnwrap(run.pid, "the sleep child did not appear")
        let descriptors = ProcessTable.descriptors(of: pid)
        run.finish()

        XCTAssertEqual(descriptors.keys.sorted(), [0, 1, 2], "\(descriptors)")
        XCTAssertEqual(descriptors[0], "/dev/null")
        XCTAssertTrue(descriptors[1]?.hasPrefix("pipe:") == true, "\(descriptors)")
        XCTAssertTrue(descriptors[2]?.hasPrefix("pipe:") == true, "\(descriptors)")
    }

    func testListedSweepClosesInheritedDescriptorsWithoutClosefrom() throws {
        let socket = try Self.listeningSocket()
        defer { close(socket) }
        let devNull = open("/dev/null", O_WRONLY)
        defer { close(devNull) }
        let argv = ["sleep", Self.uniqueSeconds()]
        let pid = try ChildSpawn.spawn(argv, environment: [:], stdout: devNull, stderr: devNull,
                                       detachment: .processGroup, sweep: .listed)
        defer {
            kill(pid, SIGKILL)
            waitpid(pid, nil, 0)
        }
        XCTAssertEqual(ProcessTable.child(running: argv), pid, "the child did not exec sleep")
        XCTAssertEqual(ProcessTable.descriptors(of: pid), [0: "/dev/null", 1: "/dev/null", 2: "/dev/null"])
    }

    func testRunnerDescriptorsAreCloseOnExec() throws {
        let before = ProcessTable.descriptors(of: getpid())
        let run = BackgroundRun(["sleep", Self.uniqueSeconds()])
        XCTAssertNotNil(run.pid, "the sleep child did not appear")
        // Compared with what each points to: a number freed since (the listing's own) may be reused.
        let opened = ProcessTable.descriptors(of: getpid()).filter { before[$0.key] != $0.value }.keys
        let inherited = Set(opened.filter { fcntl($0, F_GETFD) & FD_CLOEXEC == 0 })
        run.finish()

        XCTAssertFalse(opened.isEmpty, "the runner holds the read ends of the child's pipes")
        XCTAssertEqual(inherited, [], "a spawn on another thread would inherit these")
    }

    func testChildSeesTheBaseAndTheGivenVariablesOnly() throws {
        setenv("OB_TEST_DB_PASSWORD", "hunter2-from-url_env", 1)
        defer { unsetenv("OB_TEST_DB_PASSWORD") }
        let output = try ProcessRunner.run(["env"], environment: ["OB_DECLARED": "by the target"])
        XCTAssertEqual(output.exitCode, 0, output.stderr)
        let variables = Self.variables(output.stdout)

        XCTAssertEqual(Set(variables.keys), ["PATH", "LANG", "HOME", "OB_DECLARED"], output.stdout)
        XCTAssertFalse(output.stdout.contains("hunter2"))
        XCTAssertEqual(variables["PATH"], String(cString: getenv("PATH")))
        XCTAssertEqual(variables["HOME"], String(cString: getenv("HOME")))
        XCTAssertEqual(variables["LANG"], getenv("LANG").map { String(cString: $0) } ?? "C.UTF-8")
        XCTAssertEqual(variables["OB_DECLARED"], "by the target")
    }

    func testGivenVariablesOverrideTheBase() throws {
        let output = try ProcessRunner.run(["env"], environment: ["LANG": "C", "HOME": "/nonexistent"])
        let variables = Self.variables(output.stdout)
        XCTAssertEqual(variables["LANG"], "C")
        XCTAssertEqual(variables["HOME"], "/nonexistent")
    }

    // MARK: Helpers

    /// A sleep duration no other process has in its argv.
    static func uniqueSeconds() -> String { "7.\(Int.random(in: 100_000...999_999))" }

    /// `NAME=value` lines as a dictionary.
    static func variables(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            result[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return result
    }

    /// A TCP socket listening on 127.0.0.1 (any port), opened without close-on-exec.
    static func listeningSocket() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard fd >= 0, bound == 0, listen(fd, 8) == 0 else {
            throw XCTSkip("cannot listen on 127.0.0.1: \(String(cString: strerror(errno)))")
        }
        return fd
    }
}

/// `ProcessRunner.run` on another thread, so a test can look at the child while it runs.
final class BackgroundRun: Sendable {
    private let done = DispatchGroup()
    /// The child's pid once /proc shows it, nil if it never appeared.
    let pid: pid_t?

    init(_ argv: [String]) {
        DispatchQueue.global().async(group: done) { _ = try? ProcessRunner.run(argv, timeout: .seconds(20)) }
        pid = ProcessTable.child(running: argv)
    }

    /// Kills the child and waits for the run to return.
    func finish() {
        if let pid { kill(pid, SIGKILL) }
        _ = done.wait(timeout: .now() + 10)
    }
}
