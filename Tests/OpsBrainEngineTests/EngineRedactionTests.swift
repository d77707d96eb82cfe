import Foundation
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// A real upstream that echoes part of the bearer token it refuses, reached by an HTTP check and an
/// HTTP fix through the real engine: nothing stored about the execution holds 8 characters of it.
final class EngineRedactionTests: XCTestCase {
    private static let token = "S3CR3T-9d8c7b6a5f4e3d2c1b0a"
    private var server: LocalHTTPServer!

    override func setUpWithError() throws {
        server = try LocalHTTPServer()
    }

    override func tearDown() {
        server.stop()
    }

    private func sop() -> String {
        EnginePipelineTests.sop(name: "api-token", type: "api_auth", diagnosis: """
            diagnosis:
              - id: status
                type: http
                target: app_api
                path: /status
                expect: {status: 200}
            """, fix: """
            fix:
              - id: reset
                operation: http_call
                when: "status.status != 200"
                target: app_api
                method: POST
                path: /reset
            """, verification: "  steps: []")
    }

    private func config(_ url: String) -> String {
        EnginePipelineTests.config(url, extra: """
              app_api:
                type: http
                url: "\(server.baseURL)"
                headers_env: {Authorization: OB_REDACTION_TOKEN}
            """)
    }

    func testEchoedTokenFragmentsAreStoredNowhere() throws {
        let token = Self.token
        server.respond(to: "/status", with: .init(status: 401, body: "token \(token.prefix(12))… is not valid"))
        server.respond(to: "/reset", with: .json(#"{"error": "key ending \#(token.suffix(10)) refused; sent \#(token)"}"#, status: 403))
        let harness = try EngineHarness(sops: ["data/api-token": sop()], configYAML: config, mode: .auto,
                                        environment: ["OB_REDACTION_TOKEN": "Bearer " + token])
        let alert = try harness.fire(type: "api_auth", title: "API refuses the token")
        var detail = try harness.runUntil(alert: alert, ["awaiting_approval", "success", "escalated", "failed"])
        if detail.summary.status == "awaiting_approval" {
            try ApprovalRepository(connection: harness.connection).decide(detail.summary.id, approve: true,
                                                                          approver: Approver(name: "ana", address: nil), reason: nil)
            detail = try harness.runUntil(alert: alert, ["success", "escalated", "failed"])
        }
        XCTAssertEqual(server.requests(to: "/reset").first?.headers["authorization"], "Bearer " + token, "the fix ran with the token")
        XCTAssertTrue(detail.steps.contains { $0.phase == .diagnosis && $0.result.jsonText.contains("is not valid") })
        let stored = try storedText(harness)
        XCTAssertTrue(stored.contains("***"), "the echoes were stored, masked")
        XCTAssertNil(Self.leak(of: token, in: stored), "a run of the token is stored")
        let incident = try XCTUnwrap(try IncidentRepository(connection: harness.connection).timeline(for: .alert(alert)))
        for draft in [PostmortemRenderer(incident).markdown(), PostmortemRenderer(incident).json()] {
            XCTAssertTrue(draft.contains("is not valid"), "the echo is in the draft, masked: \(draft)")
            XCTAssertNil(Self.leak(of: token, in: draft), "the postmortem draft, read as stored, holds a run of the token")
        }
    }

    /// Every row about executions, steps, audit, approvals and notifications, as JSON text.
    private func storedText(_ harness: EngineHarness) throws -> String {
        let tables = ["self_healing_executions", "self_healing_execution_steps", "self_healing_audit_log", "self_healing_approvals",
                      "opsbrain_notifications", "opsbrain_notification_deliveries", "opsbrain_notification_attempts"]
        return try tables.map { table in
            try harness.connection.query("SELECT coalesce(json_agg(t)::text, '') AS rows FROM \(table) t").first?.string("rows") ?? ""
        }.joined(separator: "\n")
    }

    /// The first 8-character run of `secret` found in `text`.
    static func leak(of secret: String, in text: String) -> String? {
        let characters = Array(secret)
        return (0...(characters.count - 8)).map { String(characters[$0..<$0 + 8]) }.first(where: text.contains)
    }
}
