import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainIntake
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// A real Alertmanager whose webhook receiver is the intake server: alerts arrive, repeat, resolve.
final class AlertmanagerIntakeTests: XCTestCase {
    private var server: HTTPServer?
    private var alertmanager: AlertmanagerProcess?
    private var connection: PostgresConnection!

    override func tearDown() {
        alertmanager?.stop()
        server?.stop()
        connection?.close()
    }

    private func wait(_ sql: String, timeout: TimeInterval = 30, until: (Int) -> Bool) throws -> Int {
        let value = try DatabasePolling.count(connection, sql, timeout: timeout, until: until)
        XCTAssertTrue(until(value), "timed out: \(sql) = \(value)")
        return value
    }

    func testAlertsArriveDeduplicateAndResolve() throws {
        let (connection, url) = try TestPostgres.migratedConnection()
        self.connection = connection
        server = try IntakeAssembly.start(listen: "127.0.0.1:0", config: OpsBrainConfig(), conninfo: url, metrics: MetricsRegistry(),
                                          isLeader: { true }, environment: [:])
        alertmanager = try AlertmanagerProcess.delivering(toIntakePort: server!.port, repeatInterval: "2s")
        let alert: JSONValue = .array([.object([
            "labels": .object(["alertname": .string("DiskSpaceLow"), "severity": .string("critical"), "instance": .string("db-1")]),
            "annotations": .object(["summary": .string("Disk 97% full on db-1")]),
        ])])
        try alertmanager!.post(alerts: alert)
        _ = try wait("SELECT count(*) AS n FROM intelligence_alerts") { $0 == 1 }
        let row = try XCTUnwrap(try connection.query(
            "SELECT source, alert_type, title, severity, fingerprint, labels->>'instance' AS instance FROM intelligence_alerts").first)
        XCTAssertEqual(row.string("source"), "alertmanager")
        XCTAssertEqual(row.string("alert_type"), "DiskSpaceLow")
        XCTAssertEqual(row.string("title"), "Disk 97% full on db-1")
        XCTAssertEqual(row.string("severity"), "critical")
        XCTAssertEqual(row.string("instance"), "db-1")
        XCTAssertEqual(row.string("fingerprint")?.count, 16)

        // Alertmanager re-sends the group (repeat_interval): the same row counts it, no new row.
        _ = try wait("SELECT max(count) AS n FROM intelligence_alerts") { $0 >= 2 }
        XCTAssertEqual(try connection.query("SELECT count(*) AS n FROM intelligence_alerts").first?.int("n"), 1)

        let ended = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-1))
        var resolved = alert.arrayValue![0].objectValue!
        resolved["endsAt"] = .string(ended)
        try alertmanager!.post(alerts: .array([.object(resolved)]))
        _ = try wait("SELECT count(*) AS n FROM intelligence_alerts WHERE status = 'resolved' AND resolved_at IS NOT NULL") { $0 == 1 }
    }
}
