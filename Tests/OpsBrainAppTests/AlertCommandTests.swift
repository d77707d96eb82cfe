import Foundation
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// `opsbrain alert ...` as a person types it: the built executable against a fresh database.
final class AlertCommandTests: XCTestCase {
    private var url = ""
    private var connection: PostgresConnection!

    override func setUpWithError() throws {
        (connection, url) = try TestPostgres.migratedConnection()
    }

    override func tearDown() {
        connection?.close()
    }

    /// Runs `opsbrain` with `arguments` and this test's database, in an empty folder with no config.
    private func opsbrain(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try XCTUnwrap(OpsBrainBinary.path(), "build the opsbrain executable first"))
        process.arguments = arguments + ["--database-url", url]
        let folder = try TemporaryDirectory.make(prefix: "ob-alert-cli")
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": folder, "USER": "ana"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// Seen: the second `alert fire` with the same fingerprint failed on the unique index of firing
    /// fingerprints. It deduplicates as webhooks do: one row, count 2, the same id printed.
    func testFiringTheSameFingerprintTwiceDeduplicates() throws {
        let fire = ["alert", "fire", "--type", "disk_full", "--title", "Disk full on db-1", "--fingerprint", "disk-db-1"]
        let first = try opsbrain(fire)
        XCTAssertEqual(first.status, 0, first.stderr)
        let second = try opsbrain(fire)
        XCTAssertEqual(second.status, 0, second.stderr)
        let id = first.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(second.stdout.trimmingCharacters(in: .whitespacesAndNewlines), id, "the existing alert's id")
        XCTAssertTrue(second.stderr.contains("deduplicated"), second.stderr)
        XCTAssertFalse(first.stderr.contains("deduplicated"), first.stderr)
        let row = try XCTUnwrap(connection.query("SELECT id, count FROM intelligence_alerts").rows.first)
        XCTAssertEqual(try connection.query("SELECT count(*) AS n FROM intelligence_alerts").first?.int("n"), 1)
        XCTAssertEqual(row.uuid("id")?.uuidString.lowercased(), id)
        XCTAssertEqual(row.int("count"), 2)
    }
}
