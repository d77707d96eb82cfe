import Foundation
import OpsBrainCore
import OpsBrainPlatform
@testable import OpsBrainRunners
import OpsBrainTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `service_restart` and `job_restart` against a real HTTP service managed by start/stop/status scripts.
final class ServiceOperationDriverTests: XCTestCase {
    private let driver = ServiceOperationDriver()
    private var directory = ""
    private var port = 0

    /// Starts python's HTTP server as a daemon in its own session; it writes its own pid file.
    private static let startScript = """
        #!/bin/bash
        set -e
        dir="$(cd "$(dirname "$0")" && pwd)"
        setsid nohup python3 -c 'import os, sys
        open(sys.argv[1], "w").write(str(os.getpid()))
        os.execv(sys.executable, [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", sys.argv[3], sys.argv[2]])' \\
            "$dir/server.pid" "$1" "$dir/www" >"$dir/server.log" 2>&1 </dev/null &
        """

    /// Stops the server named by the pid file; fails with "not running" when it is gone.
    private static let stopScript = """
        #!/bin/bash
        dir="$(cd "$(dirname "$0")" && pwd)"
        pid="$(cat "$dir/server.pid" 2>/dev/null)" || { echo "not running (no pid file)" >&2; exit 1; }
        rm -f "$dir/server.pid"
        kill "$pid" 2>/dev/null || { echo "not running (pid $pid)" >&2; exit 1; }
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
        echo "pid $pid did not stop" >&2; exit 1
        """

    override func setUpWithError() throws {
        directory = try TemporaryDirectory.make(prefix: "opsbrain-service")
        port = try TestSockets.freePort()
        try SystemFixtures.write(directory + "/start.sh", Self.startScript, mode: 0o755)
        try SystemFixtures.write(directory + "/stop.sh", Self.stopScript, mode: 0o755)
        try SystemFixtures.write(directory + "/www/index.html", "hello from the service\n")
    }

    override func tearDownWithError() throws {
        if let pid = serverPID() { kill(pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private var serviceTarget: TargetDefinition {
        TargetDefinition(name: "web", kind: .service, fields: [
            "start": .array([.string(directory + "/start.sh"), .string(String(port))]),
            "stop": .array([.string(directory + "/stop.sh")]),
            "status": .array(["python3", "-c", "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)",
                              String(port)].map(JSONValue.string)),
        ])
    }

    private func restart(_ operation: OperationType = .serviceRestart, target: String = "web",
                         timeout: Duration = .seconds(20)) -> FixOperationSpec {
        FixOperationSpec(id: "restart", name: "restart", operation: operation, timeout: timeout, parameters: ["target": .string(target)])
    }

    private func serverPID() -> pid_t? {
        SystemFixtures.read(directory + "/server.pid").flatMap { pid_t(String(decoding: $0, as: UTF8.self)) }
    }

    /// The HTTP status of GET / on the service, or nil when it does not answer.
    private func httpStatus() throws -> Int? {
        let output = try ProcessRunner.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "2",
                                            "http://127.0.0.1:\(port)/"], timeout: .seconds(5))
        return output.exitCode == 0 ? Int(output.stdout) : nil
    }

    private func waitForHTTP() throws -> Int? {
        for _ in 0..<50 {
            if let status = try httpStatus() { return status }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return nil
    }

    func testRestartBringsAKilledServiceBackWithANewProcess() throws {
        let started = try ProcessRunner.run([directory + "/start.sh", String(port)], timeout: .seconds(10))
        XCTAssertEqual(started.exitCode, 0, started.stderr)
        XCTAssertEqual(try waitForHTTP(), 200)
        let firstPID = try XCTUnwrap(serverPID())
        XCTAssertEqual(kill(firstPID, SIGKILL), 0)
        var status: Int32 = 0
        for _ in 0..<50 where kill(firstPID, 0) == 0 { Thread.sleep(forTimeInterval: 0.1); _ = waitpid(firstPID, &status, WNOHANG) }
        XCTAssertNil(try httpStatus(), "the killed service must not answer")

        let outcome = driver.execute(restart(), context: SystemFixtures.context([serviceTarget]))
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertTrue(outcome.summary.hasPrefix("web: stop exited with 1 (ignored: not running?), started; status check passed"),
                      outcome.summary)
        XCTAssertNil(outcome.undo)
        let steps = outcome.details["steps"]?.arrayValue ?? []
        XCTAssertEqual(steps.compactMap { $0["role"]?.stringValue }.first, "stop")
        XCTAssertTrue(steps.first?["stderr"]?.stringValue?.contains("not running") ?? false)
        XCTAssertEqual(steps.last?["role"], .string("status"))
        XCTAssertEqual(steps.last?["exit_code"], .number(0))

        let secondPID = try XCTUnwrap(serverPID())
        XCTAssertNotEqual(secondPID, firstPID)
        XCTAssertEqual(kill(secondPID, 0), 0, "the new server process runs")
        XCTAssertEqual(try waitForHTTP(), 200)
    }

    func testRestartOfARunningServiceStopsTheOldProcess() throws {
        let started = try ProcessRunner.run([directory + "/start.sh", String(port)], timeout: .seconds(10))
        XCTAssertEqual(started.exitCode, 0, started.stderr)
        XCTAssertEqual(try waitForHTTP(), 200)
        let firstPID = try XCTUnwrap(serverPID())

        let outcome = driver.execute(restart(.jobRestart), context: SystemFixtures.context([serviceTarget]))
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertTrue(outcome.summary.hasPrefix("web: stopped and started; status check passed"), outcome.summary)
        XCTAssertNotEqual(kill(firstPID, 0), 0, "the old process is gone")
        XCTAssertNotEqual(try XCTUnwrap(serverPID()), firstPID)
        XCTAssertEqual(try waitForHTTP(), 200)
    }

    func testAStatusThatNeverPassesFailsWithinTheTimeout() {
        let target = TargetDefinition(name: "web", kind: .service, fields: [
            "start": .array([.string("true")]), "status": .array([.string("false")]),
        ])
        let started = Date()
        let outcome = driver.execute(restart(timeout: .milliseconds(1500)), context: SystemFixtures.context([target]))
        XCTAssertFalse(outcome.succeeded)
        XCTAssertTrue(outcome.summary.hasPrefix("service_restart 'restart': status check false still exits 1 after"), outcome.summary)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    func testAFailingOrHangingStartFailsTheRestart() {
        let failing = TargetDefinition(name: "web", kind: .service, fields: [
            "start": .array(["python3", "-c", "import sys; sys.stderr.write('port in use, token s3cr3t' + '-t0ken'); sys.exit(2)"]
                .map(JSONValue.string)),
        ])
        let token = TargetDefinition(name: "api_token", kind: .token, fields: ["url": .string("http://127.0.0.1:1/token"),
                                                                               "credentials_env": .string("API_SECRET")])
        var context = SystemFixtures.context([failing, token])
        context.environment = ["API_SECRET": "s3cr3t-t0ken"]
        let outcome = driver.execute(restart(), context: context)
        XCTAssertFalse(outcome.succeeded)
        XCTAssertEqual(outcome.summary, "service_restart 'restart': start python3 exited with 2: port in use, token ***")
        XCTAssertFalse(outcome.details.jsonText.contains("s3cr3t-t0ken"), outcome.details.jsonText)

        let hanging = TargetDefinition(name: "web", kind: .service, fields: ["start": .array([.string("sleep"), .string("30")])])
        let started = Date()
        let timedOut = driver.execute(restart(timeout: .milliseconds(500)), context: SystemFixtures.context([hanging]))
        XCTAssertEqual(timedOut.summary, "service_restart 'restart': start timed out after 500ms: sleep")
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    func testUnitTargetsNeedARunningSystemd() throws {
        let unit = TargetDefinition(name: "app", kind: .service, fields: ["unit": .string("app.service")])
        let withoutSystemd = ServiceOperationDriver(systemdMarker: directory + "/no-systemd-here")
        let outcome = withoutSystemd.execute(restart(target: "app"), context: SystemFixtures.context([unit]))
        XCTAssertFalse(outcome.succeeded)
        XCTAssertEqual(outcome.summary, "service_restart 'restart': systemd is not running on this host "
                       + "(no \(directory)/no-systemd-here), so unit app.service cannot be restarted")
        XCTAssertEqual(try driver.plan(restart(target: "app"), context: SystemFixtures.context([unit])),
                       "run: systemctl restart app.service")
    }

    func testJobRestartRunsACommandTargetButServiceRestartRefusesIt() throws {
        let marker = directory + "/job-ran"
        let job = SystemFixtures.commandTarget("job", ["python3", "-c", "open('\(marker)', 'w').write('ok')"])
        let context = SystemFixtures.context([job])
        let outcome = driver.execute(restart(.jobRestart, target: "job"), context: context)
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertEqual(SystemFixtures.read(marker), Data("ok".utf8))

        let refused = driver.execute(restart(.serviceRestart, target: "job"), context: context)
        XCTAssertEqual(refused.summary, "service_restart 'restart': target 'job' is a command target; expected service")
        XCTAssertEqual(driver.execute(restart(target: "missing"), context: context).summary,
                       "service_restart 'restart': target 'missing' is not defined in the config")
    }

    func testPlanListsTheCommandsAndRollbackIsRefused() throws {
        let plan = try driver.plan(restart(), context: SystemFixtures.context([serviceTarget]))
        XCTAssertEqual(plan, "run: \(directory)/stop.sh (a failure is recorded and ignored); then run: \(directory)/start.sh \(port); "
                       + "then run python3 -c 'import socket, sys; socket.create_connection((\'127.0.0.1\', int(sys.argv[1])), 1)' "
                       + "\(port) until it exits 0")
        XCTAssertNil(serverPID(), "planning runs nothing")
        let rollback = driver.rollback(restart(), undo: .null, context: SystemFixtures.context([serviceTarget]))
        XCTAssertFalse(rollback.succeeded)
        XCTAssertEqual(rollback.summary, "service_restart 'restart' cannot be undone")
    }
}
