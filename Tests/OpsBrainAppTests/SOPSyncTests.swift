import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// `sop sync` against a real PostgreSQL: versions bump only on change, statistics survive, gone files retire.
final class SOPSyncTests: XCTestCase {
    private var folder = ""

    override func setUpWithError() throws {
        folder = try TemporaryDirectory.make(prefix: "ob-sops") + "/SOPs"
        try FileManager.default.copyItem(atPath: SOPCatalogueTests.repository + "/SOPs", toPath: folder)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: (folder as NSString).deletingLastPathComponent)
    }

    private func sync(_ connection: PostgresConnection) throws -> SOPSync.Outcome {
        try SOPSync.run(folder: folder, config: OpsBrainConfig(), connection: connection, actor: "test")
    }

    func testRoundTripBumpsVersionsOnlyOnChange() throws {
        let (connection, _) = try TestPostgres.migratedConnection()
        defer { connection.close() }
        let first = try sync(connection)
        XCTAssertEqual(first.skipped, 0, first.issues.filter { $0.level == .error }.map(\.description).joined(separator: "\n"))
        let total = first.sync.inserted.count
        XCTAssertGreaterThanOrEqual(total, 50)

        let second = try sync(connection)
        XCTAssertEqual(second.sync.unchanged.count, total)
        XCTAssertEqual(second.sync.inserted, [])
        XCTAssertEqual(second.sync.updated, [:])
        let versions = try connection.query("SELECT DISTINCT version FROM self_healing_sops").rows.compactMap { $0.int("version") }
        XCTAssertEqual(versions, [1])

        try connection.query("UPDATE self_healing_sops SET times_executed = 7, times_successful = 6 WHERE sop_name = 'disk-filling'")
        let path = folder + "/infrastructure/disk-filling.md"
        try (try String(contentsOfFile: path, encoding: .utf8) + "\nReviewed after the March incident.\n")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let third = try sync(connection)
        XCTAssertEqual(third.sync.updated, ["disk-filling": 2])
        XCTAssertEqual(third.sync.unchanged.count, total - 1)
        let row = try XCTUnwrap(try connection.query(
            "SELECT version, times_executed, times_successful FROM self_healing_sops WHERE sop_name = 'disk-filling'").first)
        XCTAssertEqual(row.int("version"), 2)
        XCTAssertEqual(row.int("times_executed"), 7, "statistics are kept across versions")
        XCTAssertEqual(row.int("times_successful"), 6)
        let history = try connection.query("""
            SELECT v.version FROM self_healing_sop_versions v JOIN self_healing_sops s ON s.id = v.sop_id
            WHERE s.sop_name = 'disk-filling' ORDER BY v.version
            """).rows.compactMap { $0.int("version") }
        XCTAssertEqual(history, [1, 2])
    }

    func testMissingFilesRetireAndBrokenFilesKeepTheirVersion() throws {
        let (connection, _) = try TestPostgres.migratedConnection()
        defer { connection.close() }
        _ = try sync(connection)
        try FileManager.default.removeItem(atPath: folder + "/infrastructure/log-file-too-large.md")
        try "---\nname: [broken\n---\n".write(toFile: folder + "/infrastructure/disk-filling.md", atomically: true, encoding: .utf8)

        let outcome = try sync(connection)
        XCTAssertEqual(outcome.sync.retired, ["log-file-too-large"])
        XCTAssertEqual(outcome.skipped, 1)
        XCTAssertTrue(outcome.issues.contains { $0.file.hasSuffix("disk-filling.md") && $0.level == .error })
        let states = try connection.query("""
            SELECT sop_name, version, retired_at IS NOT NULL AS retired FROM self_healing_sops
            WHERE sop_name IN ('log-file-too-large', 'disk-filling') ORDER BY sop_name
            """).rows.map { "\($0.string("sop_name")!) v\($0.int("version")!) retired=\($0.bool("retired")!)" }
        XCTAssertEqual(states, ["disk-filling v1 retired=false", "log-file-too-large v1 retired=true"])
        let audit = try connection.query(
            "SELECT count(*) AS n FROM self_healing_audit_log WHERE kind = 'sop_retired' AND sop_name = 'log-file-too-large'")
        XCTAssertEqual(audit.first?.int("n"), 1)
        XCTAssertEqual(try SOPRepository(connection: connection).list().contains { $0.name == "log-file-too-large" }, false)
        XCTAssertEqual(try SOPRepository(connection: connection).list(includeRetired: true).first { $0.name == "log-file-too-large" }?.retired, true)
    }
}
