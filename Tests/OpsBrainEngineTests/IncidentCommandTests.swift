import Foundation
import OpsBrainCore
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// `opsbrain incident export` with what a person may get wrong: an id that is no id, one that names
/// nothing, a prefix two ids share, a format it does not write, a file it cannot write. Each is
/// refused with a message naming the problem, and a file given with `--output` is never touched.
final class IncidentCommandTests: XCTestCase {
    private var connection: PostgresConnection!
    private var url = ""
    private var folder = ""

    override func setUpWithError() throws {
        (connection, url) = try TestPostgres.migratedConnection()
        folder = try TemporaryDirectory.make(prefix: "ob-incident-cli")
        try "".write(toFile: folder + "/opsbrain.yaml", atomically: true, encoding: .utf8)
    }

    override func tearDown() { connection.close() }

    private func export(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try OpsBrainCLI.run(["incident", "export"] + arguments + ["--database-url", url, "--config", folder + "/opsbrain.yaml"])
    }

    /// Two alerts whose ids share their first 8 characters, and a run of the first.
    private func seedSharedPrefix() throws -> (alert: String, other: String) {
        let (alert, other) = ("abcd1234-0000-4000-8000-000000000001", "abcd1234-0000-4000-8000-000000000002")
        for id in [alert, other] {
            try connection.query("INSERT INTO intelligence_alerts (id, alert_type, title) VALUES ($1::uuid, 'disk_full', 'Disk full')", [id])
        }
        return (alert, other)
    }

    func testAnIDThatIsNoIDIsRefusedWithWhatAnIDLooksLike() throws {
        for given in ["zz-top", "ab", "abcd%"] {
            let run = try export([given])
            XCTAssertEqual(run.status, 2, run.output)
            XCTAssertTrue(run.output.contains("opsbrain: error: '\(given)' is not an id: give an alert or execution id"), run.output)
        }
    }

    func testAnUnknownIDOrPrefixSaysNothingHasIt() throws {
        let prefix = try export(["ffffffff"])
        XCTAssertEqual(prefix.status, 2, prefix.output)
        XCTAssertTrue(prefix.output.contains("opsbrain: error: no alert or execution id starts with 'ffffffff'"), prefix.output)
        let whole = try export(["FFFFFFFF-0000-4000-8000-000000000000"])
        XCTAssertEqual(whole.status, 2, whole.output)
        XCTAssertTrue(whole.output.contains("opsbrain: error: no alert or execution has the id 'ffffffff-0000-4000-8000-000000000000'"),
                      whole.output)
    }

    func testAnAmbiguousPrefixNamesEveryIDItStarts() throws {
        let (alert, other) = try seedSharedPrefix()
        let run = try export(["ABCD1234"])
        XCTAssertEqual(run.status, 2, run.output)
        XCTAssertTrue(run.output.contains("'abcd1234' is ambiguous: it starts alert \(alert), alert \(other); give more characters"), run.output)
        let whole = try export([alert, "--format", "json"])
        XCTAssertEqual(whole.status, 0, "the whole id is not ambiguous: \(whole.output)")
        XCTAssertEqual(try JSONValue(parsing: whole.output)["primary_alert_id"], .string(alert), whole.output)
    }

    func testAFormatItDoesNotWriteIsRefusedNamingTheChoices() throws {
        let (alert, _) = try seedSharedPrefix()
        let run = try export([alert, "--format", "xml"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.output.contains("'xml'") && run.output.contains("--format") && run.output.contains("markdown")
                      && run.output.contains("json"), run.output)
    }

    func testAFailedExportLeavesTheOutputFileAsItWas() throws {
        let (alert, _) = try seedSharedPrefix()
        let file = folder + "/draft.md"
        try "the author's edits".write(toFile: file, atomically: true, encoding: .utf8)
        let refused = try export(["ffffffff", "--output", file])
        XCTAssertEqual(refused.status, 2, refused.output)
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "the author's edits")

        let nowhere = folder + "/missing/draft.md"
        let unwritable = try export([alert, "--output", nowhere])
        XCTAssertEqual(unwritable.status, 1, unwritable.output)
        XCTAssertTrue(unwritable.output.contains("opsbrain: error: cannot write \(nowhere)"), unwritable.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: nowhere))

        let written = try export([alert, "--output", file])
        XCTAssertEqual(written.status, 0, written.output)
        XCTAssertTrue(try String(contentsOfFile: file, encoding: .utf8).hasPrefix("# Postmortem draft: Disk full\n"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0 != "opsbrain.yaml" && $0 != "draft.md" }
        XCTAssertEqual(leftovers, [], "no temporary file is left beside the draft")
    }
}
