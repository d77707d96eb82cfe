import OpsBrainCore
import OpsBrainDocuments
import XCTest

/// Targets that are sets of instances picked by an alert label: what they resolve to, and every
/// mistake in declaring them named by file, line and key.
final class InstanceTargetParserTests: XCTestCase {
    private static let fleet = """
        targets:
          web:
            type: http
            select_by: instance
            timeout: 2s
            max_executions: 4
            instances:
              web-1: {url: "http://10.0.0.1:8080"}
              web-2:
                url: http://10.0.0.2:8080
                timeout: 5s
                headers_env: {Authorization: WEB2_TOKEN}
          web_service:
            type: service
            select_by: instance
            start: [/usr/local/bin/app, start]
            instances:
              web-1: {unit: app@1.service}
              web-2: {}
        """

    private func errors(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try ConfigParser.parse(text, path: "c.yaml")
            XCTFail("parsed without errors", file: file, line: line)
            return ""
        } catch {
            return "\(error)"
        }
    }

    func testEachInstanceIsTheTargetWithItsOwnSettingsOnTop() throws {
        let config = try ConfigParser.parse(Self.fleet, path: "c.yaml")
        let web = try XCTUnwrap(config.targets["web"])
        XCTAssertEqual(web.instances?.selectBy, "instance")
        XCTAssertEqual(web.instances?.maxExecutions, 4)
        XCTAssertEqual(web.instances?.members.keys.sorted(), ["web-1", "web-2"])
        XCTAssertNil(web.fields["instances"], "the instance keys are not settings of the concrete target")
        let second = try XCTUnwrap(web.instance("web-2"))
        XCTAssertEqual(second.string("url"), "http://10.0.0.2:8080")
        XCTAssertEqual(second.string("timeout"), "5s", "an instance overrides the target's setting")
        XCTAssertNil(second.instances, "a concrete instance is a plain target")
        XCTAssertEqual(web.instance("web-1")?.string("timeout"), "2s", "and inherits the rest")
        XCTAssertNil(web.instance("web-3"), "only declared instances resolve")
        XCTAssertEqual(web.secrets(environment: ["WEB2_TOKEN": "s3cret-token"]), ["s3cret-token"], "an instance's secrets are redacted too")
        XCTAssertEqual(config.targets["web_service"]?.instances?.maxExecutions, TargetInstances.defaultMaxExecutions)
        XCTAssertEqual(config.targets["web_service"]?.instance("web-2")?.argv("start"), ["/usr/local/bin/app", "start"])
    }

    func testAStepContextResolvesTheExecutionsInstanceOnly() throws {
        let config = try ConfigParser.parse(Self.fleet, path: "c.yaml")
        let alert = AlertSnapshot(alertType: "InstanceDown", title: "down")
        let context = StepContext(executionID: UUID(), alert: alert, targets: config.targets, instance: "web-2", environment: [:])
        XCTAssertEqual(try context.target("web", kinds: [.http]).string("url"), "http://10.0.0.2:8080")
        var other = context
        other.instance = "web-9"
        XCTAssertThrowsError(try other.target("web", kinds: [.http])) { error in
            XCTAssertEqual("\(error)", "instance 'web-9' of target 'web' is not declared in opsbrain.yaml")
        }
        other.instance = nil
        XCTAssertThrowsError(try other.target("web", kinds: [.http])) { error in
            XCTAssertTrue("\(error)".contains("is a set of instances picked by the alert label 'instance'"), "\(error)")
        }
    }

    func testMistakesInInstancesAreNamedByLineAndKey() {
        let text = errors("""
            targets:
              web:
                type: http
                select_by: instance
                instances:
                  web-1: {url: "http://10.0.0.1", colour: red}
                  web-2: http://10.0.0.2
                  web-3: {timeout: 2s}
              api:
                type: http
                url: http://x
                instances:
                  a: {}
              db:
                type: redis
                select_by: service
                url: redis://x
              cache:
                type: redis
                select_by: "the instance"
                max_executions: 0
                instances: {}
            """)
        XCTAssertTrue(text.contains("c.yaml:6: error: unknown key 'targets.web.instances.web-1.colour'"), text)
        XCTAssertTrue(text.contains("c.yaml:7: error: key 'targets.web.instances.web-2': expected a mapping, got 'http://10.0.0.2'"), text)
        XCTAssertTrue(text.contains("c.yaml:8: error: key 'targets.web.instances.web-3': a http target needs 'url' "
                                    + "(on the target or the instance)"), text)
        XCTAssertTrue(text.contains("c.yaml:10: error: key 'targets.api': a target with instances needs 'select_by'"), text)
        XCTAssertTrue(text.contains("c.yaml:15: error: key 'targets.db': 'select_by' needs 'instances'"), text)
        XCTAssertTrue(text.contains("c.yaml:20: error: key 'targets.cache.select_by': 'the instance' is not an alert label name"), text)
        XCTAssertTrue(text.contains("c.yaml:21: error: key 'targets.cache.max_executions': 0 is outside 1...1000"), text)
        XCTAssertTrue(text.contains("c.yaml:22: error: key 'targets.cache.instances': declares no instances"), text)
    }

    func testAnInstanceCannotChangeTheTargetsTypeOrClass() {
        let text = errors("""
            targets:
              web:
                type: http
                select_by: instance
                instances:
                  web-1: {type: tcp, url: "http://10.0.0.1"}
                  web-2: {class: routine, url: "http://10.0.0.2"}
            """)
        XCTAssertTrue(text.contains("c.yaml:6: error: unknown key 'targets.web.instances.web-1.type'"), text)
        XCTAssertTrue(text.contains("c.yaml:7: error: unknown key 'targets.web.instances.web-2.class'"), text)
    }

    func testAProbeCannotCheckASetOfInstances() {
        let text = errors(Self.fleet + """

            probes:
              - name: web-health
                check: {type: http, target: web, path: /}
                alert: {type: web_down}
            """)
        XCTAssertTrue(text.contains("c.yaml:22: error: key 'probes[0].check': probe 'web-health': target 'web' is a set of instances"),
                      text)
    }

    func testAnSOPWhoseInstanceTargetsPickByDifferentLabelsIsALintError() throws {
        let config = try ConfigParser.parse("""
            targets:
              tmp:
                type: path
                select_by: instance
                instances: {db-1: {path: /tmp/a}}
              web:
                type: http
                url: http://x
                select_by: service
                instances: {api: {}}
            """, path: "c.yaml")
        let sop = SOPFixtures.sop(diagnosis: """
            diagnosis:
              - id: disk
                type: disk_usage
                target: tmp
                expect: {used_percent: {lt: 90}}
              - id: api
                type: http
                target: web
                path: /
            """)
        let report = SOPFixtures.lint(sop, config: config)
        XCTAssertTrue(report.issues.contains { $0.line == 14 && $0.level == .error
            && $0.message.contains("its targets pick instances by different alert labels ('tmp' by 'instance', 'web' by 'service')") },
                      "\(report.issues.map(\.description))")
        XCTAssertEqual(SOPFixtures.lint(SOPFixtures.sop(), config: config).issues.filter { $0.level == .error }.map(\.description), [],
                       "one label for all its instance targets is fine")
    }
}

extension InstanceTargetParserTests {
    func testAnInstanceNameMustBeSafeInALabelRegex() {
        XCTAssertThrowsError(try ConfigParser.parse("""
            targets:
              web:
                type: http
                select_by: instance
                instances:
                  'web"1': {url: "http://10.0.0.1:8080"}
            """, path: "opsbrain.yaml")) { error in
            XCTAssertTrue("\(error)".contains("is not an instance name (letters, digits, '.', '_', ':' and '-')"), "\(error)")
        }
    }
}
