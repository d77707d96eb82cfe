import Foundation
import OpsBrainPlatform
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// The embedded default cluster: start, reuse, restart, stop, and refusing directories that are not ours.
final class EmbeddedClusterTests: XCTestCase {
    func testStartsIsReusedByASecondProcessAndStops() throws {
        let binary = try XCTUnwrap(OpsBrainBinary.path(), "build the opsbrain executable first (swift build)")
        let dataHome = try TemporaryDirectory.make(prefix: "ob-embedded")
        // No DATABASE_URL, OPSBRAIN_CONFIG or PG* variable reaches the child: only the base and this.
        func opsbrain(_ arguments: String...) throws -> ProcessOutput {
            try ProcessRunner.run([binary] + arguments, environment: ["XDG_DATA_HOME": dataHome], timeout: .seconds(120))
        }
        defer { _ = try? opsbrain("db", "stop") }

        let started = try opsbrain("db", "start")
        XCTAssertEqual(started.exitCode, 0, started.stderr)
        let firstPID = try serverPID(try opsbrain("db", "status"))

        let again = try opsbrain("db", "start")
        XCTAssertEqual(again.exitCode, 0, again.stderr)
        XCTAssertEqual(try serverPID(try opsbrain("db", "status")), firstPID, "a second process reuses the running server")

        let url = try opsbrain("db", "url").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let connection = try PostgresConnection(conninfo: url)
        XCTAssertEqual(try connection.query("SELECT count(*) AS n FROM opsbrain_schema_migrations").first?.int("n"),
                       try Migrator().migrations.count)
        connection.close()

        let stopped = try opsbrain("db", "stop")
        XCTAssertEqual(stopped.exitCode, 0, stopped.stderr)
        XCTAssertTrue(try opsbrain("db", "status").stdout.contains("server:     stopped"))
    }

    func testQueriesWorkAgainAfterServerRestart() throws {
        let cluster = try TestPostgres.makeCluster(root: try TemporaryDirectory.make(prefix: "ob-restart") + "/opsbrain")
        try cluster.start()
        defer { try? cluster.stop() }
        let connection = try PostgresConnection(conninfo: cluster.connectionURL)
        defer { connection.close() }
        try connection.listen("opsbrain_events")
        let before = connection.backendPID

        try cluster.restart()

        XCTAssertEqual(try connection.query("SELECT 41 + 1 AS answer", repeating: .safeToRepeat).first?.int("answer"), 42)
        XCTAssertNotEqual(connection.backendPID, before, "a new backend serves the reconnected session")
        let other = try PostgresConnection(conninfo: cluster.connectionURL)
        defer { other.close() }
        try other.notify("opsbrain_events", payload: "alert:after-restart")
        var received: [String] = []
        for _ in 0..<5 where received.isEmpty {
            if case .notifications(let notes) = try connection.waitForNotifications(timeout: .seconds(1)) {
                received = notes.map(\.payload)
            }
        }
        XCTAssertEqual(received, ["alert:after-restart"], "LISTEN is restored after the reconnect")
    }

    func testPreparedStatementsArePreparedAgainAfterRestart() throws {
        let cluster = try TestPostgres.makeCluster(root: try TemporaryDirectory.make(prefix: "ob-prepared") + "/opsbrain")
        try cluster.start()
        defer { try? cluster.stop() }
        let connection = try PostgresConnection(conninfo: cluster.connectionURL)
        defer { connection.close() }
        XCTAssertEqual(try connection.queryPrepared("SELECT $1::int * 2 AS doubled", [21]).first?.int("doubled"), 42)
        XCTAssertEqual(try connection.queryPrepared("SELECT $1::int * 2 AS doubled", [5]).first?.int("doubled"), 10)
        try cluster.restart()
        XCTAssertEqual(try connection.queryPrepared("SELECT $1::int * 2 AS doubled", [7], repeating: .safeToRepeat).first?.int("doubled"), 14,
                       "the new session prepares the statement again")
    }

    func testListenerReportsReconnectAfterRestart() throws {
        let cluster = try TestPostgres.makeCluster(root: try TemporaryDirectory.make(prefix: "ob-relisten") + "/opsbrain")
        try cluster.start()
        defer { try? cluster.stop() }
        let listener = try PostgresConnection(conninfo: cluster.connectionURL)
        defer { listener.close() }
        try listener.listen("opsbrain_events")
        try cluster.restart()
        var outcome = NotificationWait.timedOut
        for _ in 0..<10 where outcome == .timedOut {
            outcome = try listener.waitForNotifications(timeout: .seconds(1))
        }
        XCTAssertEqual(outcome, .reconnected, "the caller learns it must re-query")
    }

    func testRefusesADirectoryThatIsNotADataDirectory() throws {
        let root = try TemporaryDirectory.make(prefix: "ob-foreign") + "/opsbrain"
        try FileManager.default.createDirectory(atPath: root + "/postgres", withIntermediateDirectories: true)
        try "precious".write(toFile: root + "/postgres/notes.txt", atomically: true, encoding: .utf8)
        let cluster = try TestPostgres.makeCluster(root: root)
        XCTAssertThrowsError(try cluster.start()) { error in
            XCTAssertTrue("\(error)".contains("is not a PostgreSQL data directory"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: root + "/postgres/notes.txt", encoding: .utf8), "precious")
    }

    func testRefusesADataDirectoryItDidNotCreate() throws {
        let root = try TemporaryDirectory.make(prefix: "ob-notours") + "/opsbrain"
        let cluster = try TestPostgres.makeCluster(root: root)
        try cluster.start()
        try cluster.stop()
        try FileManager.default.removeItem(atPath: cluster.dataDirectory + "/opsbrain-cluster")
        XCTAssertThrowsError(try cluster.start()) { error in
            XCTAssertTrue("\(error)".contains("did not create"), "\(error)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: cluster.dataDirectory + "/PG_VERSION"))
    }

    func testDamagedDataDirectoryGivesAClearErrorAndIsKept() throws {
        let root = try TemporaryDirectory.make(prefix: "ob-damaged") + "/opsbrain"
        let cluster = try TestPostgres.makeCluster(root: root)
        try cluster.start()
        try cluster.stop()
        try FileManager.default.removeItem(atPath: cluster.dataDirectory + "/global/pg_control")
        XCTAssertThrowsError(try cluster.start()) { error in
            XCTAssertTrue("\(error)".contains("did not start") && "\(error)".contains("nothing was deleted"), "\(error)")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: cluster.dataDirectory + "/PG_VERSION"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: cluster.dataDirectory + "/base"))
    }

    func testUnreachableServerNamesTheHostInOneLine() {
        XCTAssertThrowsError(try PostgresConnection(conninfo: "postgresql://u:hunter2@127.0.0.1:1/db")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("127.0.0.1:1"), text)
            XCTAssertTrue(text.contains("refused"), text)
            XCTAssertFalse(text.contains("\n"), text)
            XCTAssertFalse(text.contains("hunter2"), text)
        }
    }

    private func serverPID(_ status: ProcessOutput) throws -> Int {
        let line = try XCTUnwrap(status.stdout.split(separator: "\n").first { $0.hasPrefix("server:") }, status.stdout)
        return try XCTUnwrap(line.split(whereSeparator: { !$0.isNumber }).first.flatMap { Int($0) }, String(line))
    }
}
