import OpsBrainCore
import OpsBrainDocuments
import XCTest

/// The config file: every mistake named by file, line and key.
final class ConfigParserTests: XCTestCase {
    func testExampleConfigParses() throws {
        let path = #filePath.components(separatedBy: "/Tests/")[0] + "/opsbrain.example.yaml"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let config = try ConfigParser.parse(text, path: "opsbrain.example.yaml")
        XCTAssertEqual(config.engine.mode, .approval)
        XCTAssertEqual(config.targets["app_cache"]?.kind, .redis)
        XCTAssertEqual(config.targets["retry_failed_jobs"]?.kind, .statement)
        XCTAssertGreaterThan(config.targets.count, 20)
    }

    func testSyntaxErrorNamesFileAndLine() {
        let text = "engine:\n  mode: auto\ntargets: [unclosed\n"
        XCTAssertThrowsError(try ConfigParser.parse(text, path: "opsbrain.yaml")) { error in
            XCTAssertTrue("\(error)".hasPrefix("opsbrain.yaml:"), "\(error)")
            XCTAssertTrue("\(error)".contains("YAML syntax"), "\(error)")
        }
    }

    func testBadValueNamesLineAndKey() {
        let text = "database:\n  url_env: X\nengine:\n  mode: reckless\n"
        XCTAssertThrowsError(try ConfigParser.parse(text, path: "c.yaml")) { error in
            XCTAssertEqual("\(error)", "c.yaml:4: error: key 'engine.mode': 'reckless' is not one of diagnose_only, approval, auto")
        }
    }

    func testRepeatLimitAndApprovalExpiryAreRead() throws {
        let text = "engine:\n  repeat_limit: {fixes: 5, window: 2h}\n  approval_ttl: 15m\n  approval_expiry: escalate\n"
        let engine = try ConfigParser.parse(text, path: "c.yaml").engine
        XCTAssertEqual(engine.repeatLimit, RepeatLimit(fixes: 5, windowMinutes: 120))
        XCTAssertEqual(engine.approvalTTL, .seconds(900))
        XCTAssertEqual(engine.approvalExpiry, .escalate)
        let defaults = try ConfigParser.parse("", path: "c.yaml").engine
        XCTAssertEqual(defaults.repeatLimit, RepeatLimit(fixes: 3, windowMinutes: 60))
        XCTAssertEqual(defaults.approvalTTL, .seconds(3600))
        XCTAssertEqual(defaults.approvalExpiry, .reject)
    }

    func testBadRepeatLimitAndExpiryAreNamed() {
        let cases = [
            "engine:\n  repeat_limit: {fixes: 3, window: 10s}\n": "c.yaml:2: error: key 'engine.repeat_limit.window': the window must be at least 1m",
            "engine:\n  repeat_limit: {fixes: many}\n": "c.yaml:2: error: key 'engine.repeat_limit.fixes'",
            "engine:\n  approval_expiry: approve\n": "c.yaml:2: error: key 'engine.approval_expiry': 'approve' is not one of reject, escalate",
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try ConfigParser.parse(text, path: "c.yaml"), text) { error in
                XCTAssertTrue("\(error)".hasPrefix(expected), "\(error)")
            }
        }
    }

    func testUnknownKeyIsAnError() {
        let text = "engine:\n  mode: auto\n  moed: auto\n"
        XCTAssertThrowsError(try ConfigParser.parse(text, path: "c.yaml")) { error in
            XCTAssertTrue("\(error)".hasPrefix("c.yaml:3: error: unknown key 'engine.moed'"), "\(error)")
        }
    }

    func testTargetNeedsItsRequiredSettings() {
        let text = "targets:\n  cache:\n    type: redis\n  web:\n    type: http\n    url: http://x\n    colour: red\n"
        XCTAssertThrowsError(try ConfigParser.parse(text, path: "c.yaml")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("c.yaml:3: error: key 'targets.cache': a redis target needs 'url' or 'url_env'"), text)
            XCTAssertTrue(text.contains("c.yaml:7: error: unknown key 'targets.web.colour'"), text)
        }
    }

    func testAliasesAreRefused() {
        let text = "a: &x [1, 2]\nb: *x\n"
        XCTAssertThrowsError(try ConfigParser.parse(text, path: "c.yaml")) { error in
            XCTAssertTrue("\(error)".contains("anchors and aliases are not allowed"), "\(error)")
        }
    }

    func testSOPParametersKeepTheirLinesAndRefuseBadNames() throws {
        let config = try ConfigParser.parse("sop_parameters:\n  defaults:\n    job_label: nginx\n  sops:\n    service-down: {health_path: /healthz}\n",
                                            path: "c.yaml")
        XCTAssertEqual(config.sopParameters.defaults["job_label"], .init("nginx", line: 3, key: "sop_parameters.defaults.job_label"))
        XCTAssertEqual(config.sopParameters.sops["service-down"]?.values["health_path"]?.text, "/healthz")
        XCTAssertEqual(config.sopParameters.file, "c.yaml")
        let text = "sop_parameters:\n  defaults:\n    Job: nginx\n    paths: [/a]\n  sops:\n    Service_Down: {}\n  sop: {}\n"
        XCTAssertThrowsError(try ConfigParser.parse(text, path: "c.yaml")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("c.yaml:3: error: key 'sop_parameters.defaults.Job': 'Job' is not a parameter name"), text)
            XCTAssertTrue(text.contains("c.yaml:4: error: key 'sop_parameters.defaults.paths': expected a string"), text)
            XCTAssertTrue(text.contains("c.yaml:6: error: key 'sop_parameters.sops.Service_Down': 'Service_Down' is not an SOP name"), text)
            XCTAssertTrue(text.contains("c.yaml:7: error: unknown key 'sop_parameters.sop'"), text)
        }
    }

    func testEmptyFileGivesDefaults() throws {
        let config = try ConfigParser.parse("", path: "c.yaml")
        XCTAssertEqual(config.engine.mode, .approval)
        XCTAssertTrue(config.targets.isEmpty)
    }
}
