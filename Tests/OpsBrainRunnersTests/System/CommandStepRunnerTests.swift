import Foundation
import OpsBrainCore
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// `command` steps against real processes.
final class CommandStepRunnerTests: XCTestCase {
    private let runner = CommandStepRunner()

    private func step(argv: [String]? = nil, target: String? = nil, timeout: Duration = .seconds(10)) -> StepSpec {
        var parameters: [String: JSONValue] = [:]
        if let argv { parameters["argv"] = .array(argv.map(JSONValue.string)) }
        if let target { parameters["target"] = .string(target) }
        return StepSpec(id: "cmd", name: "command", type: .command, timeout: timeout, parameters: parameters)
    }

    func testYieldsExitCodeStdoutAndStderr() {
        let result = runner.run(step(argv: ["python3", "-c", "import sys; print('hello'); sys.stderr.write('oops'); sys.exit(3)"]),
                                context: SystemFixtures.context([]))
        XCTAssertNil(result.error)
        XCTAssertEqual(result.values["exit_code"], .number(3))
        XCTAssertEqual(result.values["stdout"], .string("hello\n"))
        XCTAssertEqual(result.values["stderr"], .string("oops"))
    }

    func testArgvIsNotInterpretedByAShell() throws {
        let scratch = try TemporaryDirectory.make(prefix: "opsbrain-cmd")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let hostile = "$(touch \(scratch)/pwned); `touch \(scratch)/pwned2` | cat > \(scratch)/pwned3 && echo *"
        let result = runner.run(step(argv: ["printf", "%s", hostile]), context: SystemFixtures.context([]))
        XCTAssertEqual(result.values["exit_code"], .number(0))
        XCTAssertEqual(result.values["stdout"], .string(hostile))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch), [])
    }

    func testTimeoutKillsTheCommandAndSaysSo() {
        let started = Date()
        let result = runner.run(step(argv: ["sleep", "30"], timeout: .milliseconds(300)), context: SystemFixtures.context([]))
        XCTAssertEqual(result.error, "timed out after 300ms: sleep")
        XCTAssertTrue(result.values.isEmpty)
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
        XCTAssertGreaterThanOrEqual(result.durationMs, 300)
    }

    func testRunsACommandTargetsArgv() {
        let target = SystemFixtures.commandTarget("greeter", ["python3", "-c", "print('from target')"])
        let result = runner.run(step(target: "greeter"), context: SystemFixtures.context([target]))
        XCTAssertNil(result.error)
        XCTAssertEqual(result.values["stdout"], .string("from target\n"))
        XCTAssertEqual(result.values["exit_code"], .number(0))
    }

    func testOutputInValuesIsCappedAt4096BytesOnACharacterBoundary() {
        let result = runner.run(step(argv: ["python3", "-c", "import sys; sys.stdout.write('x' * 100000); sys.stderr.write('é' * 3000)"]),
                                context: SystemFixtures.context([]))
        XCTAssertEqual(result.values["stdout"]?.stringValue?.utf8.count, 4096)
        let stderr = result.values["stderr"]?.stringValue ?? ""
        XCTAssertEqual(stderr.utf8.count, 4096)
        XCTAssertTrue(stderr.allSatisfy { $0 == "é" })
    }

    func testSecretsFromTheEnvironmentAreMaskedInOutput() {
        let cache = TargetDefinition(name: "cache", kind: .redis, fields: ["url_env": .string("CACHE_URL")])
        var context = SystemFixtures.context([cache])
        context.environment = ["CACHE_URL": "redis://:hunter2-secret@127.0.0.1:6379/0"]
        let result = runner.run(step(argv: ["python3", "-c", "import sys; print(sys.argv[1]); sys.stderr.write(sys.argv[1])",
                                            "url=redis://:hunter2-secret@127.0.0.1:6379/0"]), context: context)
        XCTAssertEqual(result.values["stdout"], .string("url=***\n"))
        XCTAssertEqual(result.values["stderr"], .string("url=***"))
    }

    func testBadTargetsAndArgvFailTheStepWithAClearMessage() {
        let context = SystemFixtures.context([SystemFixtures.pathTarget("logs", "/tmp")])
        XCTAssertEqual(runner.run(step(target: "nope"), context: context).error,
                       "step 'cmd': target 'nope' is not defined in the config")
        XCTAssertEqual(runner.run(step(target: "logs"), context: context).error,
                       "step 'cmd': target 'logs' is a path target; expected command")
        XCTAssertEqual(runner.run(step(), context: context).error, "step 'cmd': a command step needs argv or a command target")
        XCTAssertEqual(runner.run(step(argv: []), context: context).error, "step 'cmd': argv must be a non-empty list of strings")
        XCTAssertEqual(runner.run(step(argv: ["true"], target: "logs"), context: context).error,
                       "step 'cmd': give either argv or a command target, not both")
        let missing = runner.run(step(argv: ["/nonexistent/opsbrain-tool"]), context: context)
        XCTAssertEqual(missing.error, "step 'cmd': cannot run /nonexistent/opsbrain-tool: not found on PATH")
    }
}

