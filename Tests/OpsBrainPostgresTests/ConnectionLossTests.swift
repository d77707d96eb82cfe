import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// A lost connection never runs a statement twice: writes report the loss to their caller, and only
/// statements the caller marked safe to repeat (reads) are sent again on a fresh connection.
final class ConnectionLossTests: XCTestCase {
    private var connection: PostgresConnection!
    private var observer: PostgresConnection!

    override func setUpWithError() throws {
        let url = try TestPostgres.freshDatabase()
        connection = try PostgresConnection(conninfo: url)
        observer = try PostgresConnection(conninfo: url)
        try observer.query("CREATE SEQUENCE side_effects")
        try observer.query("CREATE TABLE writes (n int)")
    }

    override func tearDown() {
        connection?.close()
        observer?.close()
    }

    /// How far the sequence has advanced: sequences are not transactional, so each execution counts.
    private func executions() throws -> Int {
        try observer.query("SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS n FROM side_effects").first?.int("n") ?? -1
    }

    func testAStatementWhoseConnectionDiesIsNotSentAgain() throws {
        // The statement runs (the sequence moves), then its own server process ends before the answer.
        XCTAssertThrowsError(try connection.query("SELECT nextval('side_effects'), pg_terminate_backend(pg_backend_pid())")) { error in
            XCTAssertTrue((error as? PostgresError)?.isConnectionLoss == true, "\(error)")
        }
        XCTAssertEqual(try executions(), 1, "the statement ran once and was not re-sent")
    }

    func testAWriteAfterTheServerEndedTheSessionFailsAndTheNextOneRunsOnAFreshSession() throws {
        try observer.query("SELECT pg_terminate_backend($1)", [Int(connection.backendPID)])
        XCTAssertThrowsError(try connection.query("INSERT INTO writes VALUES (1)"), "the write reports the loss")
        XCTAssertEqual(try observer.query("SELECT count(*) AS n FROM writes").first?.int("n"), 0)
        try connection.query("INSERT INTO writes VALUES (2)")
        XCTAssertEqual(try observer.query("SELECT array_agg(n)::text AS n FROM writes").first?.string("n"), "{2}")
    }

    func testAReadMarkedSafeToRepeatIsSentAgainOnAFreshSession() throws {
        let before = connection.backendPID
        try observer.query("SELECT pg_terminate_backend($1)", [Int(before)])
        let row = try connection.query("SELECT 41 + 1 AS answer", repeating: .safeToRepeat).first
        XCTAssertEqual(row?.int("answer"), 42)
        XCTAssertNotEqual(connection.backendPID, before, "a new server session answered")
    }

    func testAPreparedWriteIsNotSentAgain() throws {
        let sql = "SELECT nextval('side_effects') AS n, pg_terminate_backend(pg_backend_pid()) AS t WHERE $1::int = 1"
        XCTAssertThrowsError(try connection.queryPrepared(sql, [1]))
        XCTAssertEqual(try executions(), 1)
    }

    func testALostConnectionInsideATransactionFailsTheTransaction() throws {
        XCTAssertThrowsError(try connection.transaction { tx in
            try tx.query("INSERT INTO writes VALUES (3)")
            try observer.query("SELECT pg_terminate_backend($1)", [Int(tx.backendPID)])
            try tx.query("INSERT INTO writes VALUES (4)")
        })
        XCTAssertEqual(try observer.query("SELECT count(*) AS n FROM writes").first?.int("n"), 0, "nothing of the transaction is kept")
        try connection.query("INSERT INTO writes VALUES (5)")
        XCTAssertEqual(try observer.query("SELECT count(*) AS n FROM writes").first?.int("n"), 1)
    }
}
