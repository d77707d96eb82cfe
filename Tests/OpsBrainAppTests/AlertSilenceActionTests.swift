import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainPostgres
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// Silencing an alert at its Alertmanager, against a real Alertmanager and PostgreSQL.
final class AlertSilenceActionTests: XCTestCase {
    private var alertmanager: AlertmanagerProcess!
    private var connection: PostgresConnection!
    private let ana = Approver(name: "ana", address: "10.0.0.7")
    private let labels = ["alertname": "DiskFull", "instance": "db-1", "severity": "critical"]

    override func setUpWithError() throws {
        alertmanager = try AlertmanagerProcess()
        (connection, _) = try TestPostgres.migratedConnection()
    }

    override func tearDown() {
        alertmanager?.stop()
        connection?.close()
    }

    private func config(_ alertmanagers: [String: String]) -> OpsBrainConfig {
        var targets: [String: TargetDefinition] = [:]
        for (name, url) in alertmanagers { targets[name] = TargetDefinition(name: name, kind: .alertmanager, fields: ["url": .string(url)]) }
        return OpsBrainConfig(targets: targets)
    }

    /// An alert as Alertmanager's webhook delivers it, sent by the Alertmanager at `externalURL`.
    private func receive(externalURL: String?) throws -> UUID {
        var payload: [String: JSONValue] = [
            "version": .string("4"), "status": .string("firing"),
            "alerts": .array([.object(["status": .string("firing"), "labels": .object(labels.mapValues(JSONValue.string)),
                                       "annotations": .object(["summary": .string("Disk full on db-1")]),
                                       "fingerprint": .string("f1d2")])]),
        ]
        if let externalURL { payload["externalURL"] = .string(externalURL) }
        XCTAssertEqual(try IntakeRepository(connection: connection).ingest(try WebhookParser.alertmanager(.object(payload))).opened, 1)
        return try XCTUnwrap(connection.query("SELECT id FROM intelligence_alerts WHERE fingerprint = 'f1d2' AND status = 'firing'").first?.uuid("id"))
    }

    /// The silences Alertmanager lists.
    private func silences() throws -> [JSONValue] {
        let response = try HTTPClient().send(HTTPRequest(url: alertmanager.baseURL + "/api/v2/silences", timeout: .seconds(5)))
        XCTAssertEqual(response.status, 200)
        return try JSONValue(parsing: response.bodyText(limit: HTTPClient.responseLimit)).arrayValue ?? []
    }

    func testTheSilenceIsActiveWithTheAlertsLabelsAndRecordedOnTheAlert() throws {
        let id = try receive(externalURL: alertmanager.baseURL)
        let action = AlertSilenceAction(connection: connection, config: config(["am": alertmanager.baseURL]))
        let made = try action.silence(id, for: .seconds(7200), comment: "replacing the disk", by: ana)
        XCTAssertEqual(made.alertmanager, "am")
        XCTAssertEqual(made.endsAt.timeIntervalSinceNow, 7200, accuracy: 60)

        let listed = try XCTUnwrap(try silences().first { $0["id"]?.stringValue == made.id }, "Alertmanager lists silence \(made.id)")
        XCTAssertEqual(listed["status"]?["state"], .string("active"))
        XCTAssertEqual(listed["createdBy"], .string("ana"))
        XCTAssertEqual(listed["comment"], .string("replacing the disk"))
        let matchers = listed["matchers"]?.arrayValue ?? []
        XCTAssertTrue(matchers.allSatisfy { $0["isRegex"] == .bool(false) && $0["isEqual"] == .bool(true) }, "\(matchers)")
        let pairs = matchers.compactMap { m in m["name"]?.stringValue.flatMap { name in m["value"]?.stringValue.map { (name, $0) } } }
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: pairs), labels)
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let endsAt = try XCTUnwrap(listed["endsAt"]?.stringValue.flatMap(iso.date(from:)), "\(listed)")
        XCTAssertEqual(endsAt.timeIntervalSince(made.endsAt), 0, accuracy: 1, "endsAt is the recorded expiry")

        let alert = try XCTUnwrap(try AlertActionRepository(connection: connection).state(id))
        XCTAssertEqual(alert.silenceID, made.id)
        XCTAssertEqual(alert.silencedBy, "ana")
        XCTAssertEqual(alert.silencedAtTarget, "am")
        XCTAssertEqual(try XCTUnwrap(alert.silencedUntil).timeIntervalSince(made.endsAt), 0, accuracy: 0.001)
        let audit = try XCTUnwrap(connection.query("SELECT actor, details::text AS d FROM self_healing_audit_log WHERE kind = 'alert_silenced'").first)
        XCTAssertEqual(audit.string("actor"), "human:ana")
        let details = try JSONValue(parsing: audit.string("d") ?? "")
        XCTAssertEqual(details["silence_id"], .string(made.id))
        XCTAssertEqual(details["alertmanager"], .string("am"))
        XCTAssertEqual(try ConsoleQueries(connection: connection).counts().firingAlerts, 0, "a silenced alert does not count as firing")

        XCTAssertThrowsError(try action.silence(id, for: .seconds(60), by: ana)) { error in
            XCTAssertTrue("\(error)".contains("is already silenced by ana until") && "\(error)".contains(made.id), "\(error)")
        }
        XCTAssertEqual(try silences().count, 1, "no second silence")
    }

    func testOnlyAlertmanagerAlertsAreSilenced() throws {
        let id = try ExecutionRepository(connection: connection).insertAlert(source: "cli", alertType: "disk_full", title: "Disk full",
                                                                             severity: "high", labels: labels, evidence: .object([:]),
                                                                             fingerprint: nil)
        let action = AlertSilenceAction(connection: connection, config: config(["am": alertmanager.baseURL]))
        XCTAssertThrowsError(try action.silence(id, for: .seconds(3600), by: ana)) { error in
            XCTAssertEqual("\(error)", "only alerts from Alertmanager can be silenced at their source; this one came from 'cli' (snooze it instead)")
        }
        XCTAssertEqual(try silences().count, 0)
        XCTAssertNil(try AlertActionRepository(connection: connection).state(id)?.silenceID)
    }

    func testWithSeveralAlertmanagersTheSenderIsChosenOrTheChoicesNamed() throws {
        let unused = "http://127.0.0.1:\(try TestSockets.freePort())"
        let both = config(["am-main": alertmanager.baseURL, "am-other": unused])
        let id = try receive(externalURL: alertmanager.baseURL + "/")
        let made = try AlertSilenceAction(connection: connection, config: both).silence(id, for: .seconds(600), by: ana)
        XCTAssertEqual(made.alertmanager, "am-main")
        XCTAssertEqual(try silences().map { $0["id"]?.stringValue }, [made.id])

        try connection.query("UPDATE intelligence_alerts SET status = 'resolved'")
        let unsigned = try receive(externalURL: nil)
        XCTAssertThrowsError(try AlertSilenceAction(connection: connection, config: both).silence(unsigned, for: .seconds(600), by: ana)) { error in
            XCTAssertEqual("\(error)", "2 Alertmanagers are configured and the alert does not say which one sent it"
                           + " (no externalURL in its evidence): choose one of am-main, am-other")
        }
        XCTAssertEqual(try silences().count, 1)
    }
}
