import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// The schema against a real PostgreSQL: migrations, the append-only audit log, notifications.
final class SchemaTests: XCTestCase {
    func testMigrationsApplyOnceAndRerunIsANoOp() throws {
        let connection = try PostgresConnection(conninfo: try TestPostgres.freshDatabase())
        defer { connection.close() }
        let migrator = try Migrator()
        let first = try migrator.migrate(connection)
        XCTAssertEqual(first.map(\.version), migrator.migrations.map(\.version))
        XCTAssertFalse(first.isEmpty)
        let second = try migrator.migrate(connection)
        XCTAssertEqual(second, [Migration]())
        XCTAssertEqual(try migrator.appliedVersions(connection), migrator.migrations.map(\.version))
        let tables = try connection.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").rows
            .compactMap { $0.string("tablename") }
        for table in ["intelligence_alerts", "self_healing_sops", "self_healing_executions",
                      "self_healing_audit_log", "self_healing_approvals", "opsbrain_engines"] {
            XCTAssertTrue(tables.contains(table), "missing table \(table)")
        }
    }

    func testChangedMigrationIsRefused() throws {
        let connection = try PostgresConnection(conninfo: try TestPostgres.freshDatabase())
        defer { connection.close() }
        try Migrator(migrations: [Migration(version: 1, name: "0001_a", sql: "CREATE TABLE a (x int)")]).migrate(connection)
        let edited = Migrator(migrations: [Migration(version: 1, name: "0001_a", sql: "CREATE TABLE a (y int)")])
        XCTAssertThrowsError(try edited.migrate(connection)) { error in
            XCTAssertTrue("\(error)".contains("changed after it was applied"), "\(error)")
        }
    }

    func testFailingMigrationLeavesNothingHalfApplied() throws {
        let connection = try PostgresConnection(conninfo: try TestPostgres.freshDatabase())
        defer { connection.close() }
        let broken = Migrator(migrations: [Migration(version: 1, name: "0001_broken",
                                                     sql: "CREATE TABLE half (x int); SELECT no_such_function();")])
        XCTAssertThrowsError(try broken.migrate(connection)) { error in
            XCTAssertTrue("\(error)".contains("0001_broken"), "\(error)")
        }
        let exists = try connection.query("SELECT to_regclass('half') IS NOT NULL AS present").first?.bool("present")
        XCTAssertEqual(exists, false)
        XCTAssertEqual(try broken.appliedVersions(connection), [Int]())
    }

    func testAuditLogRejectsUpdateDeleteAndTruncate() throws {
        let (connection, _) = try TestPostgres.migratedConnection()
        defer { connection.close() }
        try connection.query("INSERT INTO self_healing_audit_log (actor, kind, message) VALUES ($1, $2, $3)",
                             ["test", "note", "first entry"])
        for statement in ["UPDATE self_healing_audit_log SET message = 'changed'",
                          "DELETE FROM self_healing_audit_log",
                          "TRUNCATE self_healing_audit_log"] {
            XCTAssertThrowsError(try connection.query(statement), statement) { error in
                XCTAssertEqual((error as? PostgresError)?.sqlState, "42501", "\(statement): \(error)")
                XCTAssertTrue("\(error)".contains("append-only"), "\(error)")
            }
        }
        let rows = try connection.query("SELECT message FROM self_healing_audit_log").rows
        XCTAssertEqual(rows.map { $0.string("message") }, ["first entry"])
    }

    func testAlertInsertAndExecutionChangeNotifyListeners() throws {
        let (writer, url) = try TestPostgres.migratedConnection()
        defer { writer.close() }
        let listener = try PostgresConnection(conninfo: url)
        defer { listener.close() }
        try listener.listen("opsbrain_events")

        let alertID = try writer.query("""
            INSERT INTO intelligence_alerts (source, alert_type, title, severity)
            VALUES ('test', 'disk', 'Disk filling', 'high') RETURNING id
            """).first!.required("id")
        XCTAssertEqual(try payloads(listener), ["alert:\(alertID)"])

        let executionID = try writer.query(
            "INSERT INTO self_healing_executions (alert_id, status) VALUES ($1::uuid, 'diagnosing') RETURNING id",
            [alertID]).first!.required("id")
        try writer.query("UPDATE self_healing_executions SET status = 'escalated' WHERE id = $1::uuid", [executionID])
        XCTAssertEqual(try payloads(listener, expecting: 2), ["execution:\(executionID)", "execution:\(executionID)"])
    }

    func testNotificationsAreNotSentForRolledBackTransactions() throws {
        let (writer, url) = try TestPostgres.migratedConnection()
        defer { writer.close() }
        let listener = try PostgresConnection(conninfo: url)
        defer { listener.close() }
        try listener.listen("opsbrain_events")
        struct Abort: Error {}
        XCTAssertThrowsError(try writer.transaction { tx in
            try tx.query("INSERT INTO intelligence_alerts (alert_type, title) VALUES ('x', 'rolled back')")
            throw Abort()
        })
        XCTAssertEqual(try listener.waitForNotifications(timeout: .milliseconds(300)), .timedOut)
    }

    func testParametersAreNeverSpliced() throws {
        let (connection, _) = try TestPostgres.migratedConnection()
        defer { connection.close() }
        let hostile = "x'); DROP TABLE intelligence_alerts; --"
        try connection.query("INSERT INTO intelligence_alerts (alert_type, title) VALUES ($1, $2)", ["t", hostile])
        let title = try connection.query("SELECT title FROM intelligence_alerts").first?.string("title")
        XCTAssertEqual(title, hostile)
    }

    private func payloads(_ listener: PostgresConnection, expecting count: Int = 1) throws -> [String] {
        var received: [String] = []
        let deadline = Date().addingTimeInterval(5)
        while received.count < count, Date() < deadline {
            if case .notifications(let notes) = try listener.waitForNotifications(timeout: .seconds(1)) {
                received += notes.map(\.payload)
            }
        }
        return received
    }
}
