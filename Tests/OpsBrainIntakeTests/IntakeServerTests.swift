import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainIntake
import OpsBrainPostgres
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The intake server against a real PostgreSQL: webhooks stored whole or not at all, clear errors,
/// limits, health, metrics and the ops API.
final class IntakeServerTests: XCTestCase {
    private var server: HTTPServer?
    private var connection: PostgresConnection!
    private var base = ""
    private let client = HTTPClient()

    private func start(token: String? = nil, conninfo: String? = nil) throws {
        let (connection, url) = try TestPostgres.migratedConnection()
        self.connection = connection
        var config = OpsBrainConfig()
        config.engine.apiTokenEnv = token == nil ? nil : "TEST_TOKEN"
        server = try IntakeAssembly.start(listen: "127.0.0.1:0", config: config, conninfo: conninfo ?? url, metrics: MetricsRegistry(),
                                          isLeader: { true }, environment: token.map { ["TEST_TOKEN": $0] } ?? [:])
        base = "http://127.0.0.1:\(server!.port)"
    }

    override func tearDown() {
        server?.stop()
        connection?.close()
    }

    @discardableResult
    private func post(_ path: String, _ body: String, headers: [String: String] = [:]) throws -> (Int, JSONValue) {
        let response = try client.send(HTTPRequest(method: "POST", url: base + path, headers: ["Content-Type": "application/json"].merging(headers) { $1 },
                                                   body: Array(body.utf8), timeout: .seconds(10)))
        return (response.status, (try? JSONValue(parsing: String(decoding: response.body, as: UTF8.self))) ?? .null)
    }

    private func get(_ path: String, headers: [String: String] = [:]) throws -> (Int, String) {
        let response = try client.send(HTTPRequest(url: base + path, headers: headers, timeout: .seconds(10)))
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    private func alertCount() throws -> Int { try connection.query("SELECT count(*) AS n FROM intelligence_alerts").first?.int("n") ?? -1 }

    func testGenericAlertIsStoredDeduplicatedAndResolved() throws {
        try start()
        let alert = #"{"type": "disk_usage_high", "title": "Disk 95% on db-1", "severity": "high", "labels": {"host": "db-1"}}"#
        XCTAssertEqual(try post("/api/v1/alerts", alert).0, 200)
        let (status, body) = try post("/api/v1/alerts", alert)
        XCTAssertEqual(status, 200)
        XCTAssertEqual(body["repeated"], .number(1))
        let row = try XCTUnwrap(try connection.query("SELECT count, status, source FROM intelligence_alerts").first)
        XCTAssertEqual(row.int("count"), 2)
        XCTAssertEqual(row.string("source"), "webhook")
        XCTAssertEqual(try alertCount(), 1)
        let resolved = alert.replacingOccurrences(of: "\"severity\"", with: "\"status\": \"resolved\", \"severity\"")
        XCTAssertEqual(try post("/api/v1/alerts", resolved).1["resolved"], .number(1))
        XCTAssertEqual(try connection.query("SELECT status FROM intelligence_alerts").first?.string("status"), "resolved")
    }

    func testBadPayloadsGetClearErrorsAndStoreNothing() throws {
        try start()
        let (malformed, body) = try post("/api/v1/alerts", #"{"type": "x", "title": "#)
        XCTAssertEqual(malformed, 400)
        XCTAssertTrue(body["error"]?.stringValue?.contains("malformed JSON") == true, "\(body)")
        let (wrongType, typeBody) = try post("/api/v1/alerts", #"{"alerts": [{"type": "a", "title": "ok"}, {"type": "b", "title": 7}]}"#)
        XCTAssertEqual(wrongType, 400)
        XCTAssertEqual(typeBody["field"], .string("alerts[1].title"))
        XCTAssertEqual(try alertCount(), 0, "the first, valid alert of a rejected payload is not stored either")
        let (nul, nulBody) = try post("/api/v1/alerts", #"{"alerts": [{"type": "a", "title": "cut\u0000 short"}]}"#)
        XCTAssertEqual(nul, 400)
        XCTAssertEqual(nulBody["field"], .string("alerts[0].title"))
        XCTAssertEqual(nulBody["error"], .string(#"alerts[0].title contains a NUL character (\u0000), which PostgreSQL text cannot store"#))
        XCTAssertEqual(try post("/api/v1/alerts", #"{"alerts": [{"type": "a", "title": "x"},]}"#).0, 400, "a trailing comma")
        XCTAssertEqual(try alertCount(), 0)
        let (version, versionBody) = try post("/api/v1/alerts/alertmanager", #"{"version": "3", "alerts": []}"#)
        XCTAssertEqual(version, 400)
        XCTAssertEqual(versionBody["field"], .string("version"))
        let huge = #"{"type": "x", "title": "y", "evidence": {"blob": ""# + String(repeating: "x", count: 5 << 20) + #""}}"#
        XCTAssertEqual(try post("/api/v1/alerts", huge).0, 413)
        XCTAssertEqual(try post("/api/v1/alerts", #"{"type": "x", "title": "still serving"}"#).0, 200, "the server keeps serving")
        XCTAssertEqual(try get("/api/v1/nowhere").0, 404)
        XCTAssertEqual(try get("/api/v1/alerts").0, 405)
    }

    func testSlowClientIsCutWithoutBlockingOthers() throws {
        try start()
        let slow = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(slow) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(server!.port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(slow, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        XCTAssertEqual(connected, 0)
        let partial = "POST /api/v1/alerts HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"type\""
        _ = partial.withCString { send(slow, $0, strlen($0), 0) }
        XCTAssertEqual(try post("/api/v1/alerts", #"{"type": "x", "title": "meanwhile"}"#).0, 200, "others are served meanwhile")
        XCTAssertEqual(try alertCount(), 1)
    }

    func testDatabaseDownAnswers503SoAlertmanagerRetries() throws {
        try start(conninfo: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=1")
        XCTAssertEqual(try post("/api/v1/alerts", #"{"type": "x", "title": "y"}"#).0, 503)
        let (health, text) = try get("/healthz")
        XCTAssertEqual(health, 503)
        XCTAssertTrue(text.contains("\"database\":\"down\""), text)
    }

    func testBearerTokenGuardsWebhooksAndTheAPI() throws {
        try start(token: "s3cret-token")
        XCTAssertEqual(try post("/api/v1/alerts", #"{"type": "x", "title": "y"}"#).0, 401)
        XCTAssertEqual(try post("/api/v1/alerts", #"{"type": "x", "title": "y"}"#, headers: ["Authorization": "Bearer wrong"]).0, 401)
        XCTAssertEqual(try post("/api/v1/alerts", #"{"type": "x", "title": "y"}"#, headers: ["Authorization": "Bearer s3cret-token"]).0, 200)
        XCTAssertEqual(try get("/api/v1/executions").0, 401)
        XCTAssertEqual(try get("/healthz").0, 200, "health stays open")
    }

    func testMetricsInPrometheusTextFormat() throws {
        try start()
        try post("/api/v1/alerts", #"{"type": "x", "title": "y"}"#)
        let (status, text) = try get("/metrics")
        XCTAssertEqual(status, 200)
        XCTAssertTrue(text.contains("# TYPE opsbrain_alerts_received_total counter"), text)
        XCTAssertTrue(text.contains("opsbrain_alerts_received_total{source=\"webhook\"} 1"), text)
        XCTAssertTrue(text.contains("opsbrain_database_up 1"), text)
        XCTAssertTrue(text.contains("opsbrain_leader 1"), text)
    }

    func testMetricsNeverCountAnApprovedFixAsAutoFixed() throws {
        try start()
        for approver in [nil, "ana", "bo"] {
            try connection.query("INSERT INTO self_healing_executions (status, approved_by) VALUES ('success', $1)", [approver])
        }
        let (_, text) = try get("/metrics")
        XCTAssertTrue(text.contains("opsbrain_fixes{by=\"engine\",sop=\"unknown\"} 1"), text)
        XCTAssertTrue(text.contains("opsbrain_fixes{by=\"approval\",sop=\"unknown\"} 2"),
                      "seen: fixes a person approved were counted as auto-fixed\n" + text)
    }

    func testOpsAPIListsAndDecides() throws {
        try start(token: "tok")
        let auth = ["Authorization": "Bearer tok"]
        let alertID = try ExecutionRepository(connection: connection).insertAlert(
            source: "test", alertType: "x", title: "needs a human", severity: "high", labels: [:], evidence: .object([:]), fingerprint: nil)
        let executionID = try XCTUnwrap(try connection.query(
            "INSERT INTO self_healing_executions (alert_id, status) VALUES ($1::uuid, 'awaiting_approval') RETURNING id", [alertID]).first?.uuid("id"))
        try connection.query("INSERT INTO self_healing_approvals (execution_id, summary) VALUES ($1::uuid, '{\"reason\": \"test\"}')", [executionID])
        let (listStatus, list) = try get("/api/v1/executions?status=awaiting_approval", headers: auth)
        XCTAssertEqual(listStatus, 200)
        XCTAssertTrue(list.contains(executionID.uuidString.lowercased()), list)
        XCTAssertTrue(try get("/api/v1/approvals", headers: auth).1.contains("needs a human"))
        let id = executionID.uuidString.lowercased()
        XCTAssertEqual(try post("/api/v1/executions/\(id)/approve", "{}", headers: auth).0, 400, "the approver's identity is required")
        XCTAssertEqual(try post("/api/v1/executions/\(id)/approve", #"{"approver": "ana"}"#, headers: auth).0, 200)
        let (again, body) = try post("/api/v1/executions/\(id)/reject", #"{"approver": "bo", "reason": "no"}"#, headers: auth)
        XCTAssertEqual(again, 409)
        XCTAssertEqual(body["error"], .string("already approved by ana (api)"))
        let (detailStatus, detail) = try get("/api/v1/executions/\(id)", headers: auth)
        XCTAssertEqual(detailStatus, 200)
        XCTAssertTrue(detail.contains("approval_approved"), detail)
        let from = try connection.query("SELECT decided_from FROM self_healing_approvals").first?.string("decided_from")
        XCTAssertEqual(from, "127.0.0.1")
    }
}
