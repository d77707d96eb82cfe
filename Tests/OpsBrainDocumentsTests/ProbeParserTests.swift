import OpsBrainCore
import OpsBrainDocuments
import XCTest

/// `probes:` in the config file: typed probes, defaults, and every mistake named by line and key.
final class ProbeParserTests: XCTestCase {
    static let targets = """
        targets:
          app_api: {type: http, url: "http://127.0.0.1:8080"}
          app_db: {type: postgres, url_env: APP_DATABASE_URL}
          root_volume: {type: path, path: /}
          app_tls: {type: tls, host: app.example.com}

        """

    private func parse(_ probes: String) throws -> OpsBrainConfig {
        try ConfigParser.parse(Self.targets + "probes:\n" + probes, path: "c.yaml")
    }

    /// The error text for `probes`; fails the test when it parses.
    private func errors(_ probes: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try parse(probes)
            XCTFail("parsed without errors", file: file, line: line)
            return ""
        } catch {
            return "\(error)"
        }
    }

    /// The line of the probes text's `n`th line (1-based) in the whole file.
    private func line(_ n: Int) -> Int { Self.targets.split(separator: "\n", omittingEmptySubsequences: false).count + n }

    func testAHealthProbeGetsTheDefaults() throws {
        let config = try parse("""
              - name: api-health
                check: {type: http, target: app_api, path: /healthz}
                alert: {type: service_down}
            """)
        let probe = try XCTUnwrap(config.probes.first)
        XCTAssertEqual(probe.name, "api-health")
        XCTAssertEqual(probe.check.type, .http)
        XCTAssertEqual(probe.check.parameters["path"], .string("/healthz"))
        XCTAssertEqual(probe.check.expect, ProbeDefinition.defaultExpectations(for: .http))
        XCTAssertEqual(probe.period, .seconds(10))
        XCTAssertEqual(probe.failureThreshold, 3)
        XCTAssertEqual(probe.successThreshold, 1)
        XCTAssertEqual(probe.alert, ProbeAlert(type: "service_down", title: "Probe api-health is failing", severity: .high))
        XCTAssertFalse(probe.nagios)
        XCTAssertNil(probe.samples)
    }

    func testEveryKeyIsRead() throws {
        let config = try parse("""
              - name: sms-delivery
                period: 1m
                failure_threshold: 2
                success_threshold: 3
                check:
                  type: sql
                  target: app_db
                  timeout: 15s
                  query: SELECT 91.5 AS delivery_pct
                  expect: {delivery_pct: {gte: 85}}
                alert:
                  type: sms_delivery_rate_low
                  title: SMS delivery rate below 85% in the last hour
                  severity: critical
                  labels: {team: growth}
                samples:
                  delivery_pct: {kind: usage}
              - name: load
                check: {type: command, argv: [/usr/lib/nagios/plugins/check_load, -w, "5,4,3"], nagios: true}
                alert: {type: server_load_high}
            """)
        XCTAssertEqual(config.probes.map(\.name), ["sms-delivery", "load"])
        let sms = config.probes[0]
        XCTAssertEqual(sms.period, .seconds(60))
        XCTAssertEqual(sms.failureThreshold, 2)
        XCTAssertEqual(sms.successThreshold, 3)
        XCTAssertEqual(sms.check.timeout, .seconds(15))
        XCTAssertEqual(sms.check.expect["delivery_pct"], Expectation([.gte(85)]))
        XCTAssertEqual(sms.alert.severity, .critical)
        XCTAssertEqual(sms.alert.labels, ["team": "growth"])
        XCTAssertEqual(sms.samples, ["delivery_pct": ["kind": "usage"]])
        XCTAssertTrue(config.probes[1].nagios)
        XCTAssertEqual(config.probes[1].check.expect, ["exit_code": Expectation([.eq(.number(0))])])
    }

    func testAnUnknownTargetNamesTheProbeAndTheTarget() {
        let text = errors("""
              - name: web
                check:
                  type: http
                  target: app_apii
                alert: {type: service_down}
            """)
        XCTAssertTrue(text.contains("c.yaml:\(line(4)): error: key 'probes[0].check': probe 'web': target 'app_apii' is not defined in the config"), text)
    }

    func testATargetOfTheWrongKind() {
        let text = errors("""
              - name: disk
                check: {type: disk_usage, target: app_api, expect: {used_percent: {lt: 90}}}
                alert: {type: disk_filling}
            """)
        XCTAssertTrue(text.contains("probe 'disk': target 'app_api' is a http target; expected path"), text)
    }

    func testChecksWithoutADefaultNeedExpect() {
        let text = errors("""
              - name: tls
                check: {type: tls_expiry, target: app_tls}
                alert: {type: ssl_cert_expiring}
            """)
        XCTAssertTrue(text.contains("c.yaml:\(line(2)): error: key 'probes[0].check': probe 'tls': a tls_expiry check needs 'expect'"), text)
    }

    func testStepRulesApply() {
        let text = errors("""
              - name: rate
                check:
                  type: sql
                  target: app_db
                  query: DELETE FROM sms_messages
                  expect: {rate: {gte: 85}}
                alert: {type: sms_delivery_rate_low}
              - name: disk
                check: {type: disk_usage, target: root_volume, expect: {used: {lt: 90}}}
                alert: {type: disk_filling}
              - name: pause
                check: {type: wait, duration: 1s}
                alert: {type: x}
              - name: web
                check: {type: http, target: app_api, nagios: true, methd: GET}
                alert: {type: x}
            """)
        // A block mapping's line is its first key's.
        XCTAssertTrue(text.contains("c.yaml:\(line(3)): error: key 'probes[0].check': probe 'rate': the query must be a single SELECT"), text)
        XCTAssertTrue(text.contains("probe 'disk': a disk_usage step yields no 'used'"), text)
        XCTAssertTrue(text.contains("probe 'pause': a wait step cannot be a probe's check"), text)
        XCTAssertTrue(text.contains("c.yaml:\(line(15)): error: unknown key 'probes[3].check.methd'"), text)
    }

    func testNagiosIsOnlyForCommands() {
        let text = errors("""
              - name: web
                check: {type: http, target: app_api, nagios: true}
                alert: {type: x}
            """)
        XCTAssertTrue(text.contains("probe 'web': 'nagios' is only for command checks"), text)
    }

    func testProbeFieldsAreChecked() {
        let text = errors("""
              - name: Web Health
                check: {type: http, target: app_api}
                alert: {type: service_down, severity: dire, labels: {probe: x}}
                period: 10ms
                failure_threshold: 0
                colour: red
              - check: {type: http, target: app_api}
            """)
        XCTAssertTrue(text.contains("c.yaml:\(line(1)): error: key 'probes[0].name': 'Web Health' must be 1-64 characters"), text)
        XCTAssertTrue(text.contains("key 'probes[0].alert.severity': 'dire' is not one of"), text)
        XCTAssertTrue(text.contains("key 'probes[0].alert.labels': 'probe' is set by Ops Brain"), text)
        XCTAssertTrue(text.contains("c.yaml:\(line(4)): error: key 'probes[0].period': a probe runs at most every 100ms"), text)
        XCTAssertTrue(text.contains("c.yaml:\(line(5)): error: key 'probes[0].failure_threshold': 0 is outside 1...100"), text)
        XCTAssertTrue(text.contains("c.yaml:\(line(6)): error: unknown key 'probes[0].colour'"), text)
        XCTAssertTrue(text.contains("c.yaml:\(line(7)): error: key 'probes[1]': a probe needs a 'name'"), text)
        XCTAssertTrue(text.contains("key 'probes[1]': a probe needs an 'alert'"), text)
    }

    func testNamesAreUnique() {
        let text = errors("""
              - name: web
                check: {type: http, target: app_api}
                alert: {type: x}
              - name: web
                check: {type: tcp, target: app_api}
                alert: {type: y}
            """)
        XCTAssertTrue(text.contains("c.yaml:\(line(4)): error: key 'probes[1]': probe 'web' is already defined at line \(line(1))"), text)
    }

    func testAnEmptySectionIsNoProbes() throws {
        XCTAssertTrue(try ConfigParser.parse("probes: []\n", path: "c.yaml").probes.isEmpty)
        XCTAssertTrue(try ConfigParser.parse("probes:\n", path: "c.yaml").probes.isEmpty)
        XCTAssertThrowsError(try ConfigParser.parse("probes: {a: 1}\n", path: "c.yaml"))
    }

    func testTheExampleConfigHasOneProbeOfEachKind() throws {
        let path = #filePath.components(separatedBy: "/Tests/")[0] + "/opsbrain.example.yaml"
        let config = try ConfigParser.parse(try String(contentsOfFile: path, encoding: .utf8), path: "opsbrain.example.yaml")
        let types = Set(config.probes.map(\.check.type))
        XCTAssertTrue(types.isSuperset(of: [.diskUsage, .http, .sql, .command, .tlsExpiry]), "\(types)")
        XCTAssertTrue(config.probes.contains { $0.nagios })
    }
}
