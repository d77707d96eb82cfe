import Foundation
import OpsBrainCore
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// Targets chosen by the alert, within an allowlist: each declared instance is a real local HTTP
/// server that answers 500 ("down"), and alerts pick one by their `instance` label.
final class InstanceTargetTests: XCTestCase {
    private var servers: [LocalHTTPServer] = []

    override func tearDown() {
        servers.forEach { $0.stop() }
    }

    /// An instance down: its `/` answers 500; `connection_refresh` POSTs its `/refresh`; verified by `/` again.
    static func instanceDownSOP(waitBefore: String = "0s", extra: String = "") -> String {
        EnginePipelineTests.sop(name: "instance-down", category: "infrastructure", type: "InstanceDown", diagnosis: """
            diagnosis:
              - id: web
                type: http
                target: web
                path: /
                timeout: 2s
                expect: {status: 200}
            """, fix: """
            fix:
              - id: refresh
                operation: connection_refresh
                when: "web.failed"
                target: web
                path: /refresh
            """, verification: """
              steps:
                - id: web_up
                  type: http
                  target: web
                  path: /
                  timeout: 2s
                  expect: {status: 200}
            """, extra: extra).replacingOccurrences(of: "wait_before: 0s", with: "wait_before: \(waitBefore)")
    }

    /// `count` servers that are down, declared as `web-1` … `web-<count>` of the target `web`.
    private func downServers(_ count: Int) throws -> [LocalHTTPServer] {
        servers = try (0..<count).map { _ in
            let server = try LocalHTTPServer()
            server.respond(to: "/", with: .init(status: 500, body: "down"))
            server.respond(to: "/refresh", method: "POST", with: .init(status: 200, body: "refreshed"))
            return server
        }
        return servers
    }

    private static func config(_ servers: [LocalHTTPServer], maxExecutions: Int? = nil) -> String {
        let instances = servers.enumerated().map { "      web-\($0.offset + 1): {url: \"\($0.element.baseURL)\"}" }
        return """
            targets:
              web:
                type: http
                select_by: instance\(maxExecutions.map { "\n    max_executions: \($0)" } ?? "")
                instances:
            \(instances.joined(separator: "\n"))
            """
    }

    private func harness(_ servers: [LocalHTTPServer], maxExecutions: Int? = nil, sop: String = instanceDownSOP()) throws -> EngineHarness {
        try EngineHarness(sops: ["infrastructure/instance-down": sop], configYAML: { _ in Self.config(servers, maxExecutions: maxExecutions) })
    }

    @discardableResult
    private func fire(_ harness: EngineHarness, _ instance: String, title: String? = nil) throws -> UUID {
        try harness.fire(type: "InstanceDown", title: title ?? "Instance \(instance) down", labels: ["instance": instance])
    }

    /// Every execution: instance scope and key, status, escalation reason and how many steps ran.
    private func executions(_ harness: EngineHarness) throws -> [(scope: String?, key: String?, status: String, reason: String, steps: Int)] {
        try harness.connection.query("""
            SELECT e.instance_scope, e.instance_key, e.status, coalesce(e.escalation_reason, '') AS reason,
                   (SELECT count(*) FROM self_healing_execution_steps s WHERE s.execution_id = e.id) AS steps
            FROM self_healing_executions e ORDER BY e.started_at
            """).rows.map { ($0.string("instance_scope"), $0.string("instance_key"), $0.string("status") ?? "", $0.string("reason") ?? "",
                             $0.int("steps") ?? 0) }
    }

    private static let settled = """
        SELECT count(*) AS n FROM self_healing_executions
        WHERE status NOT IN ('pending', 'diagnosing', 'fixing', 'verifying', 'rolling_back')
        """

    func testTwentyInstancesDownOpenOneExecutionPerDeclaredInstanceAndEscalateTheUndeclared() throws {
        let servers = try downServers(5)
        let harness = try harness(servers)
        for index in 1...20 { try fire(harness, "web-\(index)") }
        let repeated = try fire(harness, "web-1", title: "Instance web-1 still down")
        try harness.runUntil(count: Self.settled) { $0 == 20 }

        let all = try executions(harness)
        XCTAssertEqual(all.count, 20, "one execution per instance value; the repeat for web-1 joins its own")
        let declared = all.filter { $0.scope == "instance" }
        XCTAssertEqual(declared.compactMap(\.key).sorted(), (1...5).map { "web-\($0)" }.sorted())
        for (index, server) in servers.enumerated() {
            XCTAssertGreaterThanOrEqual(server.requests(to: "/").count, 1, "web-\(index + 1) was diagnosed on its own server")
        }
        let undeclared = all.filter { $0.scope == "undeclared" }
        XCTAssertEqual(undeclared.count, 15)
        for row in undeclared {
            XCTAssertEqual(row.status, "escalated")
            XCTAssertEqual(row.reason, "instance '\(row.key ?? "?")' of target 'web' is not declared in opsbrain.yaml; nothing was run")
            XCTAssertEqual(row.steps, 0, "nothing runs for an undeclared instance")
        }
        XCTAssertEqual(try harness.count("""
            SELECT count(*) AS n FROM intelligence_alerts a JOIN self_healing_executions e ON e.id = a.correlated_execution_id
            WHERE a.id = '\(repeated)' AND e.instance_key = 'web-1'
            """), 1, "a second alert for web-1 joins web-1's execution (storm per SOP and instance)")

        // The SOP's hourly cap (3) still bounds the fleet: three instances are refreshed, two wait for a person.
        XCTAssertEqual(servers.map { $0.requests(to: "/refresh").count }.reduce(0, +), 3)
        XCTAssertEqual(try harness.count("""
            SELECT count(*) AS n FROM self_healing_executions e JOIN self_healing_audit_log l ON l.execution_id = e.id
            WHERE e.status = 'awaiting_approval' AND l.kind = 'decision' AND l.message LIKE '%hourly cap: 3 fixes this hour (max 3)%'
            """), 2)
    }

    func testPastTheCapTheRestOfTheFleetIsOneEscalation() throws {
        let servers = try downServers(5)
        let harness = try harness(servers, maxExecutions: 3)
        for index in [1, 2, 3, 4, 5, 9] { try fire(harness, "web-\(index)") }
        try harness.runUntil(count: Self.settled) { $0 == 5 }

        let all = try executions(harness)
        XCTAssertEqual(all.filter { $0.scope == "instance" }.compactMap(\.key), ["web-1", "web-2", "web-3"])
        let fleet = try XCTUnwrap(all.first { $0.scope == "fleet" })
        XCTAssertEqual(fleet.status, "escalated")
        XCTAssertTrue(fleet.reason.hasPrefix("fleet-wide escalation: SOP instance-down already has its cap of 3 executions open"), fleet.reason)
        XCTAssertTrue(fleet.reason.contains("2 more instances alerted (web-4, web-5)"), fleet.reason)
        XCTAssertEqual(fleet.steps, 0)
        XCTAssertEqual(servers[3].requests.count + servers[4].requests.count, 0, "nothing ran against the instances past the cap")
        XCTAssertEqual(all.filter { $0.scope == "undeclared" }.map(\.key), ["web-9"], "an undeclared instance is not the fleet's")
    }

    func testTheCooldownOfOneInstanceDoesNotBlockAnother() throws {
        let servers = try downServers(2)
        let harness = try harness(servers, sop: Self.instanceDownSOP(waitBefore: "1s"))
        let first = try fire(harness, "web-1")
        _ = try harness.runUntil(alert: first, ["verifying"])
        servers[0].respond(to: "/", with: .init(status: 200, body: "up"))
        let fixed = try harness.runUntil(alert: first, ["success", "escalated", "failed", "awaiting_approval"])
        XCTAssertEqual(fixed.summary.status, "success", fixed.escalationReason ?? "")
        XCTAssertEqual(fixed.instance, InstancePlacement(scope: .instance, key: "web-1"))
        XCTAssertEqual(servers[0].requests(to: "/refresh").count, 1)

        servers[0].respond(to: "/", with: .init(status: 500, body: "down again"))
        let again = try fire(harness, "web-1", title: "Instance web-1 down again")
        let cooled = try harness.runUntil(alert: again, ["awaiting_approval", "success", "escalated", "failed"])
        let decision = cooled.audit.first { $0.kind == "decision" }?.message ?? ""
        XCTAssertEqual(cooled.summary.status, "awaiting_approval")
        XCTAssertTrue(decision.contains("cooldown: last fix 0 min ago (cooldown 30 min)"), decision)

        let other = try fire(harness, "web-2")
        let fixing = try harness.runUntil(alert: other, ["verifying", "awaiting_approval", "success", "escalated", "failed"])
        let otherDecision = fixing.audit.first { $0.kind == "decision" }?.message ?? ""
        XCTAssertFalse(otherDecision.contains("cooldown"), otherDecision)
        XCTAssertTrue(otherDecision.hasPrefix("auto_fix"), otherDecision)
        XCTAssertEqual(servers[1].requests(to: "/refresh").count, 1, "web-2 is refreshed although web-1 is cooling down")
        XCTAssertEqual(servers[0].requests(to: "/refresh").count, 1, "and web-1 is not refreshed again")
    }
}
