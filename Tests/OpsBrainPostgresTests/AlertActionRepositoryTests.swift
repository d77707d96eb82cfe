import Foundation
import OpsBrainCore
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// People's actions on alerts against a real PostgreSQL: each audited with its actor and announced
/// to listening consoles as `alert:<id>`; a snooze out of the firing count until it ends.
final class AlertActionRepositoryTests: XCTestCase {
    private var connection: PostgresConnection!
    private var listener: PostgresConnection!
    private var repository: AlertActionRepository!
    private let ana = Approver(name: "ana", address: "10.0.0.7")
    private let bob = Approver(name: "bob", address: nil)

    override func setUpWithError() throws {
        let url: String
        (connection, url) = try TestPostgres.migratedConnection()
        listener = try PostgresConnection(conninfo: url)
        try listener.listen("opsbrain_events")
        repository = AlertActionRepository(connection: connection)
    }

    override func tearDown() {
        listener?.close()
        connection?.close()
    }

    private func fire(_ title: String = "Disk full on db-1") throws -> UUID {
        try ExecutionRepository(connection: connection).insertAlert(source: "cli", alertType: "disk_full", title: title, severity: "high",
                                                                    labels: [:], evidence: .object([:]), fingerprint: nil)
    }

    /// Waits (up to 5 s) for `alert:<id>` and returns every payload seen until then.
    private func announced(_ id: UUID) throws -> [String] {
        let wanted = "alert:\(id.uuidString.lowercased())"
        var seen: [String] = []
        let deadline = Date().addingTimeInterval(5)
        while !seen.contains(wanted), Date() < deadline {
            if case .notifications(let notes) = try listener.waitForNotifications(timeout: .milliseconds(500)) {
                seen += notes.map(\.payload)
            }
        }
        return seen
    }

    private func audit(_ id: UUID) throws -> [(kind: String, actor: String, message: String, details: JSONValue)] {
        try connection.query("SELECT kind, actor, message, details::text AS d FROM self_healing_audit_log WHERE alert_id = $1::uuid ORDER BY id",
                             [id]).rows.map { row in
            (row.string("kind") ?? "", row.string("actor") ?? "", row.string("message") ?? "",
             (try? JSONValue(parsing: row.string("d") ?? "")) ?? .null)
        }
    }

    private func firingCount() throws -> Int {
        try ConsoleQueries(connection: connection).counts().firingAlerts
    }

    func testAcknowledgeIsAuditedAnnouncedAndTheFirstOneStands() throws {
        let id = try fire()
        let execution = try XCTUnwrap(connection.query(
            "INSERT INTO self_healing_executions (alert_id, status) VALUES ($1::uuid, 'awaiting_approval') RETURNING id", [id]).first?.uuid("id"))
        _ = try announced(id)
        let alert = try repository.acknowledge(id, by: ana)
        XCTAssertEqual(alert.acknowledgedBy, "ana")
        XCTAssertNotNil(alert.acknowledgedAt)
        XCTAssertTrue(try announced(id).contains("alert:\(id.uuidString.lowercased())"))
        let rows = try audit(id)
        XCTAssertEqual(rows.map(\.kind), ["alert_acknowledged"])
        XCTAssertEqual(rows.first?.actor, "human:ana")
        XCTAssertEqual(rows.first?.message, "alert 'Disk full on db-1' acknowledged by ana from 10.0.0.7")
        XCTAssertEqual(rows.first?.details["from"], .string("10.0.0.7"))
        XCTAssertEqual(try connection.query("SELECT execution_id FROM self_healing_audit_log WHERE kind = 'alert_acknowledged'").first?
                        .uuid("execution_id"), execution, "on the trail of the alert's execution too")
        XCTAssertEqual(try firingCount(), 1, "an acknowledged alert still fires")

        XCTAssertThrowsError(try repository.acknowledge(id, by: bob)) { error in
            XCTAssertTrue("\(error)".hasPrefix("alert \(id.uuidString.lowercased().prefix(8)) is already acknowledged by ana at "), "\(error)")
        }
        XCTAssertEqual(try repository.state(id)?.acknowledgedBy, "ana")
        XCTAssertEqual(try audit(id).count, 1, "a refused action writes no audit row")
    }

    func testASnoozedAlertLeavesTheFiringCountUntilItsSnoozeEnds() throws {
        let id = try fire()
        _ = try fire("Disk full on db-2")
        XCTAssertEqual(try firingCount(), 2)
        _ = try announced(id)
        let alert = try repository.snooze(id, for: .seconds(2), by: bob)
        XCTAssertEqual(alert.snoozedBy, "bob")
        XCTAssertEqual(alert.status, .firing)
        XCTAssertTrue(try announced(id).contains("alert:\(id.uuidString.lowercased())"))
        XCTAssertEqual(try firingCount(), 1, "the snoozed alert does not count")
        let quiet = try connection.query("SELECT count(*) AS n FROM intelligence_alerts a WHERE \(AlertActionRepository.firingCondition(alias: "a"))")
        XCTAssertEqual(quiet.first?.int("n"), 1, "the predicate with an alias agrees")
        let rows = try audit(id)
        XCTAssertEqual(rows.map(\.kind), ["alert_snoozed"])
        XCTAssertEqual(rows.first?.actor, "human:bob")
        XCTAssertTrue(rows.first?.message.hasPrefix("alert 'Disk full on db-1' snoozed for 2s by bob (until ") ?? false, rows.first?.message ?? "")
        XCTAssertEqual(rows.first?.details["duration_s"], .number(2))

        try DatabasePolling.waitUntil("the snooze ends and the alert counts again", timeout: 15) { try firingCount() == 2 }
    }

    func testResolveByHandNeedsAReasonAndIsAudited() throws {
        let id = try fire()
        XCTAssertThrowsError(try repository.resolve(id, reason: "  ", by: ana)) { error in
            XCTAssertEqual("\(error)", "a reason is required to resolve an alert by hand")
        }
        XCTAssertEqual(try repository.state(id)?.status, .firing)
        XCTAssertThrowsError(try connection.query("UPDATE intelligence_alerts SET resolved_by = 'ana', resolution_reason = ' '"),
                             "the table refuses a blank reason too")
        _ = try announced(id)

        let alert = try repository.resolve(id, reason: "disk replaced", by: ana)
        XCTAssertEqual(alert.status, .resolved)
        XCTAssertEqual(alert.resolvedBy, "ana")
        XCTAssertEqual(alert.resolutionReason, "disk replaced")
        XCTAssertNotNil(try connection.query("SELECT resolved_at FROM intelligence_alerts").first?.date("resolved_at"))
        XCTAssertTrue(try announced(id).contains("alert:\(id.uuidString.lowercased())"))
        let rows = try audit(id)
        XCTAssertEqual(rows.map(\.kind), ["alert_resolved_by_hand"])
        XCTAssertEqual(rows.first?.message, "alert 'Disk full on db-1' resolved by hand by ana from 10.0.0.7: disk replaced")
        XCTAssertEqual(rows.first?.details["reason"], .string("disk replaced"))
        XCTAssertEqual(try firingCount(), 0)

        XCTAssertThrowsError(try repository.snooze(id, for: .seconds(60), by: bob)) { error in
            XCTAssertEqual("\(error)", "alert \(id.uuidString.lowercased().prefix(8)) is already resolved (by ana: disk replaced); nothing to snooze")
        }
    }

    func testIDPrefixesNameOneAlertOrSayWhy() throws {
        for (id, title) in [("3d9f2ef4-0000-4000-8000-000000000001", "first"), ("3d9f2ef4-1000-4000-8000-000000000002", "second")] {
            try connection.query("INSERT INTO intelligence_alerts (id, alert_type, title) VALUES ($1::uuid, 'disk', $2)", [id, title])
        }
        XCTAssertThrowsError(try repository.resolveID("3d9f2ef4")) { error in
            XCTAssertEqual("\(error)", "'3d9f2ef4' matches several alerts: 3d9f2ef4-0000 (first), 3d9f2ef4-1000 (second); type more of the id")
        }
        XCTAssertEqual(try repository.resolveID("3D9F2EF4-1").uuidString.lowercased(), "3d9f2ef4-1000-4000-8000-000000000002")
        XCTAssertEqual(try repository.resolveID("3d9f2ef4-0000-4000-8000-000000000001").uuidString.lowercased(),
                       "3d9f2ef4-0000-4000-8000-000000000001")
        XCTAssertEqual(try repository.resolveID("3d9f2ef4000040008000000000000001").uuidString.lowercased(),
                       "3d9f2ef4-0000-4000-8000-000000000001", "32 digits without dashes")
        XCTAssertThrowsError(try repository.resolveID("3d9f2ef5")) { error in
            XCTAssertEqual("\(error)", "no alert id starts with '3d9f2ef5'")
        }
        XCTAssertThrowsError(try repository.resolveID("3d9f2ef4-0000-4000-8000-000000000003")) { error in
            XCTAssertEqual("\(error)", "no alert has the id 3d9f2ef4-0000-4000-8000-000000000003")
        }
        for typed in ["", "3d9f%", "not-an-id"] {
            XCTAssertThrowsError(try repository.resolveID(typed)) { error in
                XCTAssertEqual("\(error)", "'\(typed)' is not an alert id: give the full id or its first characters (hex digits, like 3d9f2ef4)")
            }
        }
        XCTAssertThrowsError(try ExecutionRepository(connection: connection).resolveID("3d9f2ef4")) { error in
            XCTAssertEqual("\(error)", "no execution id starts with '3d9f2ef4'", "executions resolve the same way")
        }
    }

    func testASecretTypedIntoAReasonNeverReachesTheAuditTrail() throws {
        let secret = "tok-4f9d2c7e81b3a6d5"
        let id = try fire("Token leak on \(secret)")
        _ = try AlertActionRepository(connection: connection, redactor: SecretRedactor(secrets: [secret]))
            .resolve(id, reason: "rotated \(secret) by hand", by: ana)
        let audit = try XCTUnwrap(try connection.query("""
            SELECT message || ' ' || details::text AS text FROM self_healing_audit_log WHERE alert_id = $1::uuid AND kind = 'alert_resolved_by_hand'
            """, [id]).first?.string("text"))
        XCTAssertFalse(audit.contains(secret.prefix(8)), audit)
        XCTAssertTrue(audit.contains(SecretRedactor.mask), audit)
    }
}
