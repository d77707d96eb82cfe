import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainDocuments
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// A deployment that defines only the targets it has: the shipped SOPs load, those that name
/// missing targets are *not set up here*, and sync says so in one line instead of a wall of errors.
final class SOPApplicabilityTests: XCTestCase {
    /// A small stock deployment: one HTTP service, one PostgreSQL, one Redis.
    static let threeTargets = """
        targets:
          app_api:
            type: http
            url: http://127.0.0.1:8080
          app_db:
            type: postgres
            url_env: APP_DATABASE_URL
          app_cache:
            type: redis
            url: redis://127.0.0.1:6379
        """

    private func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try XCTUnwrap(OpsBrainBinary.path(), "build the opsbrain executable first"))
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: SOPCatalogueTests.repository)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testSyncWithAThreeTargetConfigExitsZeroInAFewLines() throws {
        let url = try TestPostgres.freshDatabase()
        let config = try TemporaryDirectory.make(prefix: "ob-three") + "/opsbrain.yaml"
        try (Self.threeTargets + "\nengine:\n  sops_dir: \(SOPCatalogueTests.repository)/SOPs\n")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let (status, output) = try run(["sop", "sync", "--database-url", url, "--config", config])
        let lines = output.split(separator: "\n")
        XCTAssertEqual(status, 0, output)
        XCTAssertLessThanOrEqual(lines.count, 5, output)
        XCTAssertTrue(output.contains("0 skipped with errors"), output)
        let summary = try XCTUnwrap(lines.first { $0.contains(" active, ") }, output)
        XCTAssertTrue(summary.contains("not set up (opsbrain sop list --inactive shows what each needs)"), output)

        let (listed, table) = try run(["sop", "list", "--inactive", "--database-url", url, "--config", config])
        XCTAssertEqual(listed, 0, table)
        let serviceDown = try XCTUnwrap(table.split(separator: "\n").first { $0.hasPrefix("service-down ") }, table)
        XCTAssertTrue(serviceDown.contains("prometheus"), "service-down needs the prometheus target: \(serviceDown)")
        XCTAssertFalse(serviceDown.contains("app_api"), "a configured target is not listed as needed")
    }

    func testTheCountsAgreeWithEachSOPsTargets() throws {
        let (connection, _) = try TestPostgres.migratedConnection()
        defer { connection.close() }
        let folder = SOPCatalogueTests.repository + "/SOPs"
        let config = try ConfigParser.parse(Self.threeTargets, path: "three.yaml")
        let outcome = try SOPSync.run(folder: folder, config: config, connection: connection, actor: "test")
        XCTAssertEqual(outcome.skipped, 0, outcome.issues.filter { $0.level == .error }.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(outcome.active + outcome.notSetUp.count, outcome.sync.inserted.count)
        XCTAssertGreaterThan(outcome.active, 0, "some shipped SOPs work with an HTTP service, a database and a cache")
        for (name, missing) in outcome.notSetUp {
            XCTAssertFalse(missing.isEmpty)
            XCTAssertTrue(Set(missing).isDisjoint(with: ["app_api", "app_db", "app_cache"]), "\(name) lists a configured target")
        }
    }
}
