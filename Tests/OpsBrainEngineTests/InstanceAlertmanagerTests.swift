import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainIntake
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// Five real HTTP services killed at once, reported by a real Alertmanager to the intake server:
/// the engine opens one execution per instance, and each restarts its own service. The SOP's two
/// targets (`web` http, `web_service` service) both pick their instance by the `instance` label.
final class InstanceAlertmanagerTests: XCTestCase {
    private var services: [LocalService] = []
    private var server: HTTPServer?
    private var alertmanager: AlertmanagerProcess?

    override func tearDown() {
        alertmanager?.stop()
        server?.stop()
        services.forEach { $0.stop() }
    }

    /// `web` and `web_service`, each with the instances `web-1` … `web-<n>` of `services`.
    private static func config(_ services: [LocalService]) -> String {
        let urls = services.enumerated().map { "      web-\($0.offset + 1): {url: \"http://127.0.0.1:\($0.element.port)\"}" }
        let units = services.enumerated().map { index, service in
            "      web-\(index + 1): {start: [\"\(service.directory)/start.sh\"], stop: [\"\(service.directory)/stop.sh\"], "
                + "status: [\"\(service.directory)/status.sh\"]}"
        }
        return """
            targets:
              web:
                type: http
                select_by: instance
                instances:
            \(urls.joined(separator: "\n"))
              web_service:
                type: service
                select_by: instance
                instances:
            \(units.joined(separator: "\n"))
            """
    }

    func testFiveInstancesDownThroughAlertmanagerEndInFiveExecutionsEachOnItsOwnInstance() throws {
        services = try (0..<5).map { _ in try LocalService() }
        for service in services {
            try service.start()
            service.kill()
        }
        XCTAssertFalse(services.contains { $0.answers() }, "all five are down")
        let sop = EngineServicesTests.webDownSOP.replacingOccurrences(of: "alert_types: [web_down]", with: "alert_types: [InstanceDown]")
        let harness = try EngineHarness(sops: ["infrastructure/web-down": sop], configYAML: { _ in Self.config(self.services) })
        server = try IntakeAssembly.start(listen: "127.0.0.1:0", config: harness.config, conninfo: harness.url, metrics: MetricsRegistry(),
                                          isLeader: { true }, environment: [:])
        alertmanager = try AlertmanagerProcess.delivering(toIntakePort: try XCTUnwrap(server).port)
        try alertmanager?.post(alerts: .array((1...5).map { index in
            .object(["labels": .object(["alertname": .string("InstanceDown"), "instance": .string("web-\(index)"),
                                        "severity": .string("critical")]),
                     "annotations": .object(["summary": .string("web-\(index) is down")])])
        }))

        // service_restart is high risk: a new SOP asks first. The on-call engineer approves each.
        try harness.runUntil(count: "SELECT count(*) AS n FROM self_healing_executions WHERE status = 'awaiting_approval'") { $0 == 5 }
        let approvals = ApprovalRepository(connection: harness.connection)
        for row in try harness.connection.query("SELECT id FROM self_healing_executions").rows {
            try approvals.decide(try XCTUnwrap(row.uuid("id")), approve: true, approver: Approver(name: "ana", address: nil), reason: nil)
        }
        try harness.runUntil(count: "SELECT count(*) AS n FROM self_healing_executions WHERE status IN ('success', 'escalated', 'failed')") {
            $0 == 5
        }

        let rows = try harness.connection.query("""
            SELECT e.instance_key, e.status, a.labels->>'instance' AS label,
                   (SELECT count(*) FROM self_healing_execution_steps s WHERE s.execution_id = e.id AND s.phase = 'fix'
                      AND s.status = 'succeeded') AS fixes
            FROM self_healing_executions e JOIN intelligence_alerts a ON a.id = e.alert_id ORDER BY e.instance_key
            """).rows
        XCTAssertEqual(rows.compactMap { $0.string("instance_key") }, (1...5).map { "web-\($0)" })
        for row in rows {
            XCTAssertEqual(row.string("status"), "success", "\(row.string("instance_key") ?? "?")")
            XCTAssertEqual(row.string("instance_key"), row.string("label"), "each execution is for its own alert's instance")
            XCTAssertEqual(row.int("fixes"), 1, "one restart each")
        }
        XCTAssertTrue(services.allSatisfy { $0.answers() }, "each service was restarted on its own instance")
    }
}
