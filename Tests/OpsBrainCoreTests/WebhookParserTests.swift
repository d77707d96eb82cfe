import OpsBrainCore
import XCTest

/// Webhook payloads as the senders write them, and the field named in every error.
final class WebhookParserTests: XCTestCase {
    func testAlertmanagerVersion4() throws {
        let payload = try JSONValue(parsing: """
            {"version": "4", "groupKey": "{}:{alertname=\\"HighLatency\\"}", "truncatedAlerts": 0, "status": "firing",
             "receiver": "opsbrain", "groupLabels": {"alertname": "HighLatency"}, "commonLabels": {"team": "api"},
             "commonAnnotations": {}, "externalURL": "http://am", "notification_reason": "new",
             "alerts": [{"status": "firing", "labels": {"alertname": "HighLatency", "severity": "warning", "instance": "api-1"},
                         "annotations": {"summary": "p99 latency 2.3s on api-1"}, "startsAt": "2018-08-03T09:52:26.739266876+02:00",
                         "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prom", "fingerprint": "c6d3f6e6a6b7e0a1"}]}
            """)
        let alerts = try WebhookParser.alertmanager(payload)
        XCTAssertEqual(alerts.count, 1)
        XCTAssertEqual(alerts[0].alertType, "HighLatency")
        XCTAssertEqual(alerts[0].title, "p99 latency 2.3s on api-1")
        XCTAssertEqual(alerts[0].severity, .medium, "warning reads as medium")
        XCTAssertEqual(alerts[0].labels["team"], "api", "common labels are kept")
        XCTAssertEqual(alerts[0].fingerprint, "c6d3f6e6a6b7e0a1")
        XCTAssertEqual(alerts[0].state, .firing)
        XCTAssertEqual(alerts[0].evidence["externalURL"], .string("http://am"), "the sender, for a silence at the source")
    }

    func testGrafanaAndGeneric() throws {
        let grafana = try WebhookParser.grafana(try JSONValue(parsing: """
            {"version": "1", "orgId": 1, "state": "alerting", "title": "[FIRING:1] Errors", "message": "...",
             "alerts": [{"status": "resolved", "labels": {"alertname": "Errors"}, "annotations": {}, "values": {"B": 7},
                         "valueString": "[ var='B' value=7 ]", "silenceURL": "http://g/s", "dashboardURL": "", "panelURL": ""}]}
            """))
        XCTAssertEqual(grafana.first?.state, .resolved)
        XCTAssertEqual(grafana.first?.evidence["values"], .object(["B": .number(7)]))
        let generic = try WebhookParser.generic(try JSONValue(parsing: #"{"type": "queue_backlog", "title": "Queue 12k deep", "severity": "crit"}"#))
        XCTAssertEqual(generic.first?.severity, .critical)
        XCTAssertEqual(generic.first?.fingerprint, try WebhookParser.generic(try JSONValue(parsing:
            #"{"type": "queue_backlog", "title": "Queue 12k deep"}"#)).first?.fingerprint, "same labels, type and title: same fingerprint")
    }

    func testErrorsNameTheField() {
        func field(_ text: String, _ parse: (JSONValue) throws -> [IncomingAlert]) -> String? {
            do { _ = try parse(try JSONValue(parsing: text)); return nil } catch let error as PayloadError { return error.field } catch { return "?" }
        }
        XCTAssertEqual(field(#"{"version": "5", "alerts": []}"#, WebhookParser.alertmanager), "version")
        XCTAssertEqual(field(#"{"version": "4", "alerts": [{"status": "firing", "labels": {"a": 1}}]}"#, WebhookParser.alertmanager), "alerts[0].labels.a")
        XCTAssertEqual(field(#"{"version": "4", "alerts": [{"status": "pending", "labels": {}}]}"#, WebhookParser.alertmanager), "alerts[0].status")
        XCTAssertEqual(field(#"{"version": "4"}"#, WebhookParser.alertmanager), "alerts")
        XCTAssertEqual(field(#"{"title": "x"}"#, WebhookParser.generic), "type")
        XCTAssertEqual(field(#"{"type": "x", "title": "y", "severity": "purple"}"#, WebhookParser.generic), "severity")
        XCTAssertEqual(field(#"[1, 2]"#, WebhookParser.generic), "")
    }
}
