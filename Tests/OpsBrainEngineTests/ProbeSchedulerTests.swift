import Foundation
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// Probes against real things: an HTTP server that starts failing, a PostgreSQL table, a Nagios
/// plugin; alerts raised once after the failure threshold and resolved on recovery.
final class ProbeSchedulerTests: XCTestCase {
    private func webConfig(_ server: LocalHTTPServer, failures: Int = 3, successes: Int = 1) -> String {
        """
        targets:
          web: {type: http, url: "\(server.baseURL)"}
        probes:
          - name: web-health
            period: 100ms
            failure_threshold: \(failures)
            success_threshold: \(successes)
            check: {type: http, target: web, path: /healthz, timeout: 2s}
            alert: {type: service_down, title: Web is down, severity: critical, labels: {service: web}}
        """
    }

    func testAFailingHTTPServiceRaisesOneAlertAndRecoveryResolvesIt() throws {
        let harness = try ProbeHarness()
        let server = try LocalHTTPServer()
        defer { server.stop() }
        server.respond(to: "/healthz", with: .init(status: 200, body: "ok"))
        let scheduler = try harness.scheduler(webConfig(server))
        harness.start(scheduler) { true }
        try harness.eventually("healthy samples are stored") { try harness.samples("web-health.status").count >= 3 }
        XCTAssertTrue(try harness.samples("web-health.status").allSatisfy { $0.ok && $0.value == 200 })
        XCTAssertTrue(try harness.alerts("web-health").isEmpty)

        server.respond(to: "/healthz", with: .init(status: 500, body: "boom"))
        try harness.eventually("the alert is raised") { try !harness.alerts("web-health").isEmpty }
        XCTAssertGreaterThanOrEqual(try harness.samples("web-health.status").filter { !$0.ok }.count, 3)
        Thread.sleep(forTimeInterval: 0.5)
        let raised = try harness.alerts("web-health")
        XCTAssertEqual(raised.count, 1)
        XCTAssertEqual(raised[0].string("status"), "firing")
        XCTAssertEqual(raised[0].int("count"), 1, "no repeats while raised")
        XCTAssertEqual(raised[0].string("source"), "probe")
        XCTAssertEqual(raised[0].string("alert_type"), "service_down")
        XCTAssertEqual(raised[0].string("severity"), "critical")
        XCTAssertEqual(raised[0].json("labels"), .object(["probe": .string("web-health"), "service": .string("web")]))
        let evidence = try XCTUnwrap(raised[0].json("evidence"))
        XCTAssertEqual(evidence["consecutive_failures"], .number(3))
        XCTAssertEqual(evidence["values"]?["status"], .number(500))
        XCTAssertEqual(evidence["values"]?["body"], .string("boom"))

        let escalated = try escalate(probe: "web-health", in: harness)
        server.respond(to: "/healthz", with: .init(status: 200, body: "ok"))
        try harness.eventually("the alert is resolved") { try harness.alerts("web-health").first?.string("status") == "resolved" }
        XCTAssertEqual(try harness.connection.query(
            "SELECT count(*) AS n FROM opsbrain_notifications WHERE kind = 'resolved' AND execution_id = $1::uuid", [escalated]).first?.int("n"), 1,
            "seen: a probe resolving an escalated run never sent PagerDuty's resolve")
        XCTAssertEqual(try harness.alerts("web-health").count, 1)
        XCTAssertNotNil(try harness.alerts("web-health")[0].string("resolved_at"))
        let audit = try harness.connection.query("SELECT actor FROM self_healing_audit_log WHERE kind = 'alert_resolved'").rows
        XCTAssertEqual(audit.map { $0.string("actor") }, ["intake:probe"])
    }

    func testAnAlertClosedWhileTheCheckStillFailsIsRaisedAgain() throws {
        let harness = try ProbeHarness()
        let server = try LocalHTTPServer()
        defer { server.stop() }
        server.respond(to: "/healthz", with: .init(status: 500))
        let scheduler = try harness.scheduler(webConfig(server, failures: 1))
        harness.start(scheduler) { true }
        try harness.eventually("the alert is raised") { try !harness.alerts("web-health").isEmpty }
        let closed = IncomingAlert(source: "generic", alertType: "service_down", title: "Web is down", severity: .critical,
                                   labels: [:], evidence: .object([:]), fingerprint: "probe:web-health", state: .resolved)
        XCTAssertEqual(try IntakeRepository(connection: harness.connection).ingest([closed]).resolved, 1)
        try harness.eventually("a new alert is raised") { try harness.alerts("web-health").count == 2 }
        Thread.sleep(forTimeInterval: 0.4)
        let rows = try harness.alerts("web-health")
        XCTAssertEqual(rows.map { $0.string("status") }, ["resolved", "firing"])
        XCTAssertEqual(rows[1].int("count"), 1)
    }

    func testAnSQLBusinessProbeReadsARealTable() throws {
        let harness = try ProbeHarness()
        try harness.connection.executeScript("""
            CREATE TABLE sms_messages (status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO sms_messages (status) SELECT 'delivered' FROM generate_series(1, 9);
            INSERT INTO sms_messages (status) VALUES ('failed');
            """)
        let scheduler = try harness.scheduler("""
            targets:
              app_db: {type: postgres, url: "$DB"}
            probes:
              - name: sms-delivery
                period: 150ms
                failure_threshold: 2
                check:
                  type: sql
                  target: app_db
                  query: >-
                    SELECT round(100.0 * count(*) FILTER (WHERE status = 'delivered') / greatest(count(*), 1), 1) AS delivery_pct
                    FROM sms_messages WHERE created_at > now() - interval '1 hour'
                  expect: {delivery_pct: {gte: 85}}
                alert: {type: sms_delivery_rate_low, title: SMS delivery rate below 85% in the last hour}
                samples:
                  delivery_pct: {unit: percent}
            """)
        harness.start(scheduler) { true }
        try harness.eventually("a healthy rate is sampled") { try harness.samples("sms-delivery.delivery_pct").count >= 2 }
        let healthy = try harness.samples("sms-delivery.delivery_pct")[0]
        XCTAssertEqual(healthy.value, 90)
        XCTAssertTrue(healthy.ok)
        XCTAssertEqual(healthy.labels, ["probe": "sms-delivery", "value": "delivery_pct", "unit": "percent"])
        XCTAssertTrue(try harness.samples("sms-delivery.rows").isEmpty, "only the listed values are stored")

        try harness.connection.query("INSERT INTO sms_messages (status) SELECT 'failed' FROM generate_series(1, 5)")
        try harness.eventually("the low rate raises the alert") { try harness.alerts("sms-delivery").first?.string("status") == "firing" }
        let evidence = try XCTUnwrap(harness.alerts("sms-delivery")[0].json("evidence"))
        XCTAssertEqual(evidence["values"]?["delivery_pct"], .number(60))
        XCTAssertTrue(try harness.samples("sms-delivery.delivery_pct").contains { $0.value == 60 && !$0.ok })

        try harness.connection.query("DELETE FROM sms_messages WHERE status = 'failed'")
        try harness.eventually("the recovered rate resolves it") { try harness.alerts("sms-delivery").first?.string("status") == "resolved" }
        XCTAssertEqual(try harness.alerts("sms-delivery").count, 1)
    }

    func testANagiosPluginsStateRaisesAndItsPerfdataIsSampled() throws {
        let harness = try ProbeHarness()
        let folder = try TemporaryDirectory.make(prefix: "ob-nagios")
        let plugin = folder + "/check_fake_disk"
        try """
            #!/bin/sh
            echo "DISK CRITICAL - / at 95% | /=95%;80;90;0;100 inodes=1200;;;0"
            echo "long text line"
            exit 2
            """.write(toFile: plugin, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: plugin)
        let scheduler = try harness.scheduler("""
            probes:
              - name: nagios-disk
                period: 100ms
                failure_threshold: 1
                check: {type: command, argv: ["\(plugin)"], nagios: true, timeout: 5s}
                alert: {type: disk_space_low}
            """)
        harness.start(scheduler) { true }
        try harness.eventually("the CRITICAL state raises the alert") { try !harness.alerts("nagios-disk").isEmpty }
        let alert = try harness.alerts("nagios-disk")[0]
        XCTAssertEqual(alert.string("title"), "Probe nagios-disk is failing")
        let values = try XCTUnwrap(alert.json("evidence")?["values"])
        XCTAssertEqual(values["state"], .string("CRITICAL"))
        XCTAssertEqual(values["summary"], .string("DISK CRITICAL - / at 95%"))
        XCTAssertEqual(values["exit_code"], .number(2))

        let root = try XCTUnwrap(harness.samples("nagios-disk./").first)
        XCTAssertEqual(root.value, 95)
        XCTAssertFalse(root.ok)
        XCTAssertEqual(root.labels, ["probe": "nagios-disk", "value": "/", "unit": "percent", "threshold": "80,90"])
        XCTAssertEqual(try harness.samples("nagios-disk.inodes").first?.value, 1200)
        XCTAssertEqual(try harness.samples("nagios-disk.exit_code").first?.value, 2)
    }

    func testRerunRunsTheCheckNowAndFeedsTheAlertCheck() throws {
        let harness = try ProbeHarness()
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let scheduler = try harness.scheduler(webConfig(server))
        XCTAssertNil(scheduler.rerun(probe: "nope"))
        server.respond(to: "/healthz", with: .init(status: 503))
        XCTAssertEqual(scheduler.rerun(probe: "web-health"), false)
        server.respond(to: "/healthz", with: .init(status: 204))
        XCTAssertEqual(scheduler.rerun(probe: "web-health"), true)
        XCTAssertTrue(try harness.samples("web-health.status").isEmpty, "a re-run stores nothing")
        XCTAssertTrue(try harness.alerts("web-health").isEmpty)

        let check = AlertCheckRunner(currentStatus: { _ in "firing" }, rerunProbe: { scheduler.rerun(probe: $0) })
        let step = StepSpec(id: "recheck", name: "recheck", type: .rerunAlertCheck)
        func context(_ labels: [String: String]) -> StepContext {
            StepContext(executionID: UUID(), alert: AlertSnapshot(alertType: "service_down", title: "x", labels: labels),
                        targets: [:], environment: [:])
        }
        XCTAssertEqual(check.run(step, context: context(["probe": "web-health"])).values["ok"], .bool(true))
        server.respond(to: "/healthz", with: .init(status: 500))
        XCTAssertEqual(check.run(step, context: context(["probe": "web-health"])).values["ok"], .bool(false))
        XCTAssertEqual(check.run(step, context: context([:])).values["ok"], .bool(false), "others: the stored status")
        XCTAssertEqual(check.run(step, context: context(["probe": "gone"])).values["status"], .string("firing"))
    }

    /// The escalated execution an engine would have left for `probe`'s alert (the engine is not what this tests).
    private func escalate(probe: String, in harness: ProbeHarness) throws -> UUID {
        let repository = ExecutionRepository(connection: harness.connection)
        let alert = try harness.connection.query("SELECT id FROM intelligence_alerts WHERE labels->>'probe' = $1", [probe]).first?.uuid("id")
        let id = try harness.connection.transaction { tx in
            try repository.openExecutionRow(alertID: try XCTUnwrap(alert), sop: nil, match: nil, mode: .auto, maxAttempts: 1, dryRun: false, in: tx)
        }
        try harness.connection.query("UPDATE self_healing_executions SET status = 'escalated', next_action_at = NULL WHERE id = $1::uuid", [id])
        return id
    }
}
