import Foundation
import OpsBrainCore
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// The engine fixing real local things: Redis keys, temp files, a killed HTTP service.
final class EngineServicesTests: XCTestCase {
    private static func sop(name: String, type: String, risk: String = "low", diagnosis: String, fix: String,
                            verification: String) -> String {
        EnginePipelineTests.sop(name: name, category: "infrastructure", type: type, risk: risk, diagnosis: diagnosis, fix: fix,
                                verification: verification)
    }

    /// A killed web service: an HTTP check diagnoses it, `service_restart` fixes it, the check verifies.
    static let webDownSOP = sop(name: "web-down", type: "web_down", risk: "low", diagnosis: """
        diagnosis:
          - id: web
            type: http
            target: web
            path: /
            timeout: 2s
            expect: {status: 200}
        """, fix: """
        fix:
          - id: restart
            operation: service_restart
            when: "web.failed"
            target: web_service
            timeout: 20s
        """, verification: """
          steps:
            - id: web_up
              type: http
              target: web
              path: /
              timeout: 2s
              expect: {status: 200}
        """)

    func testRedisKeyPatternIsClearedAndRestoredByRollback() throws {
        let redis = try RedisTestServer()
        defer { redis.stop() }
        let client = try redis.client()
        for index in 0..<10 { _ = try client.command(["SET", "session:\(index)", "user-\(index)"]) }
        _ = try client.command(["SET", "config:keep", "yes"])
        let sop = Self.sop(name: "sessions-piling-up", type: "redis_sessions", diagnosis: """
            diagnosis:
              - id: sessions
                type: redis
                target: cache
                check: scan_count
                pattern: "session:*"
                expect: {count: {lt: 5}}
            """, fix: """
            fix:
              - id: clear
                operation: cache_clear
                when: "sessions.count >= 5"
                target: cache
                pattern: "session:*"
            """, verification: """
              steps:
                - id: cleared
                  type: redis
                  target: cache
                  check: scan_count
                  pattern: "session:*"
                  expect: {count: 0}
            """)
        let harness = try EngineHarness(sops: ["infrastructure/sessions-piling-up": sop], configYAML: { _ in
            "targets:\n  cache:\n    type: redis\n    url: \"\(redis.url())\"\n" })
        let alert = try harness.fire(type: "redis_sessions", title: "Session keys piling up")
        let done = try harness.runUntil(alert: alert, ["success", "escalated", "failed", "awaiting_approval"])
        XCTAssertEqual(done.summary.status, "success", done.escalationReason ?? "")
        XCTAssertEqual(try client.command(["EXISTS", "session:3"]).integer, 0)
        XCTAssertEqual(try client.command(["GET", "config:keep"]).string, "yes", "only the pattern is cleared")
        try ApprovalRepository(connection: harness.connection).requestRollback(done.summary.id, approver: Approver(name: "ana", address: nil))
        _ = try harness.runUntil(alert: alert, ["rolled_back"])
        XCTAssertEqual(try client.command(["GET", "session:7"]).string, "user-7", "rollback restores the values")
    }

    func testTempFilesAreQuarantinedAndRestoredByRollback() throws {
        let directory = try TemporaryDirectory.make(prefix: "ob-temp")
        for index in 0..<4 {
            let path = "\(directory)/upload-\(index).tmp"
            try "chunk \(index)".write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3 * 86400)], ofItemAtPath: path)
        }
        try "in use".write(toFile: "\(directory)/fresh.tmp", atomically: true, encoding: .utf8)
        let sop = Self.sop(name: "temp-growing", type: "temp_growth", diagnosis: """
            diagnosis:
              - id: temp_files
                type: file_stat
                target: temp
                pattern: "*.tmp"
                expect: {file_count: {lt: 3}}
            """, fix: """
            fix:
              - id: cleanup
                operation: temp_cleanup
                when: "temp_files.file_count >= 3"
                target: temp
                older_than: 1d
                pattern: "*.tmp"
            """, verification: """
              steps:
                - id: temp_ok
                  type: file_stat
                  target: temp
                  pattern: "*.tmp"
                  expect: {file_count: {lt: 3}}
            """)
        let harness = try EngineHarness(sops: ["infrastructure/temp-growing": sop], configYAML: { _ in
            "targets:\n  temp:\n    type: path\n    path: \(directory)\n" })
        let alert = try harness.fire(type: "temp_growth", title: "Temp directory growing")
        let done = try harness.runUntil(alert: alert, ["success", "escalated", "failed", "awaiting_approval"])
        XCTAssertEqual(done.summary.status, "success", done.escalationReason ?? "")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(directory)/upload-1.tmp"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(directory)/fresh.tmp"), "new files stay")
        try ApprovalRepository(connection: harness.connection).requestRollback(done.summary.id, approver: Approver(name: "ana", address: nil))
        _ = try harness.runUntil(alert: alert, ["rolled_back"])
        XCTAssertEqual(try String(contentsOfFile: "\(directory)/upload-1.tmp", encoding: .utf8), "chunk 1")
    }

    func testKilledHTTPServiceIsRestartedAndVerified() throws {
        let service = try LocalService()
        defer { service.stop() }
        try service.start()
        XCTAssertTrue(service.answers())
        service.kill()
        XCTAssertFalse(service.answers(), "the service is down")
        let sop = Self.webDownSOP
        let plain = Self.webDownSOP.replacingOccurrences(of: "name: web-down", with: "name: web-restart")
            .replacingOccurrences(of: "alert_types: [web_down]", with: "alert_types: [web_restart]")
        let harness = try EngineHarness(sops: ["infrastructure/web-down": sop, "infrastructure/web-restart": plain], configYAML: { _ in service.configYAML })
        let alert = try harness.fire(type: "web_down", title: "Web service down")
        // service_restart is high risk, whatever the SOP declares: a new SOP (prior 50) asks first.
        let done = try harness.approveWhenAsked(alert: alert, reasonContaining: "< 90 for high-risk service_restart", timeout: 60)
        XCTAssertEqual(done.summary.status, "success", done.escalationReason ?? "")
        XCTAssertTrue(service.answers(), "the service answers again")
        XCTAssertEqual(done.steps.filter { $0.phase == .fix }.map(\.status), [.succeeded])
        XCTAssertThrowsError(try ApprovalRepository(connection: harness.connection).requestRollback(
            done.summary.id, approver: Approver(name: "ana", address: nil))) { error in
            XCTAssertEqual("\(error)", "nothing can be undone: restart is not reversible",
                           "seen: the rollback said 'Undoes the fixes', undid nothing and flipped the run to rolled back")
        }
        XCTAssertEqual(try harness.execution(for: alert)?.summary.status, "success", "a refused rollback changes nothing")
    }

    /// Prometheus counts two starts of the service in 15 minutes (`vector(2)` stands for the start
    /// metric's `changes`); one was Ops Brain's own restart, so it is not the crash loop (two starts
    /// or more) that would stop a second restart. A restart of another service is not discounted.
    func testRestartsOpsBrainMadeAreNotCountedAsACrashLoop() throws {
        let prometheus = try PrometheusProcess()
        defer { prometheus.stop() }
        let service = try LocalService()
        defer { service.stop() }
        let other = try LocalService()
        defer { other.stop() }
        try service.start()
        service.kill()
        try other.start()
        other.kill()
        let crashLoop = """
              - id: crash_loop
                type: metric
                target: prometheus
                query: vector(2)
                discount_own_restarts: 15m
                expect: {value: {lt: 2}}
            fix:

            """
        let sop = Self.webDownSOP.replacingOccurrences(of: "\nfix:\n", with: "\n" + crashLoop)
            .replacingOccurrences(of: "escalate_if:\n", with: "escalate_if:\n  - when: \"crash_loop.value >= 2\"\n    reason: crash-looping\n")
        XCTAssertTrue(sop.contains("discount_own_restarts"), sop)
        let plain = Self.webDownSOP.replacingOccurrences(of: "name: web-down", with: "name: web-restart")
            .replacingOccurrences(of: "alert_types: [web_down]", with: "alert_types: [web_restart]")
        let otherSOP = Self.webDownSOP.replacingOccurrences(of: "name: web-down", with: "name: other-restart")
            .replacingOccurrences(of: "alert_types: [web_down]", with: "alert_types: [other_down]")
            .replacingOccurrences(of: "target: web_service", with: "target: other_service").replacingOccurrences(of: "target: web\n", with: "target: other\n")
        let otherTargets = other.configYAML.replacingOccurrences(of: "targets:\n", with: "")
            .replacingOccurrences(of: "  web:", with: "  other:").replacingOccurrences(of: "  web_service:", with: "  other_service:")
        let harness = try EngineHarness(sops: ["infrastructure/web-down": sop, "infrastructure/web-restart": plain,
                                               "infrastructure/other-restart": otherSOP], configYAML: { _ in
            service.configYAML + "\n" + otherTargets + "\n  prometheus: {type: prometheus, url: \"\(prometheus.baseURL)\"}\n"
        })
        // Another service's restart: not a start of this one.
        let elsewhere = try harness.approveWhenAsked(alert: try harness.fire(type: "other_down", title: "Other service down"),
                                                     reasonContaining: "for high-risk service_restart", timeout: 60)
        XCTAssertEqual(elsewhere.summary.status, "success", elsewhere.escalationReason ?? "")
        // Another SOP's restart of the same service: Ops Brain's own start, whichever runbook made it.
        let first = try harness.fire(type: "web_restart", title: "Web service restart asked")
        let fixed = try harness.approveWhenAsked(alert: first, reasonContaining: "for high-risk service_restart", timeout: 60)
        XCTAssertEqual(fixed.summary.status, "success", fixed.escalationReason ?? "")
        service.kill()
        let second = try harness.fire(type: "web_down", title: "Web service down again")
        let again = try harness.approveWhenAsked(alert: second, reasonContaining: "for high-risk service_restart", timeout: 60)
        XCTAssertEqual(again.summary.status, "success", "seen: restarts Ops Brain made were counted as a crash loop: \(again.escalationReason ?? "")")
        let check = try XCTUnwrap(again.steps.first { $0.stepID == "crash_loop" && $0.phase == .diagnosis }?.result["values"])
        XCTAssertEqual(check["measured"], .number(2))
        XCTAssertEqual(check["own_restarts"], .number(1))
        XCTAssertEqual(check["value"], .number(1))
        XCTAssertTrue(service.answers())
    }
}
