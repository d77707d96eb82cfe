import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainPostgres
import OpsBrainRunners
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

    /// Runs `opsbrain` with `arguments` and this test's database, in a folder of its own with `config`
    /// as its opsbrain.yaml (none when nil).
    private func opsbrain(_ arguments: [String], config: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try XCTUnwrap(OpsBrainBinary.path(), "build the opsbrain executable first"))
        process.arguments = arguments + ["--database-url", url]
        let folder = try TemporaryDirectory.make(prefix: "ob-alert-cli")
        try config?.write(toFile: folder + "/opsbrain.yaml", atomically: true, encoding: .utf8)
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": folder, "SSH_CONNECTION": "10.0.0.7 51000 10.0.0.1 22"]
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

    private func fire(_ title: String) throws -> String {
        let fired = try opsbrain(["alert", "fire", "--type", "disk_full", "--title", title])
        XCTAssertEqual(fired.status, 0, fired.stderr)
        return fired.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testAckSnoozeAndResolveTakeTheListedPrefixAndNameThePerson() throws {
        let id = try fire("Disk full on db-1")
        let short = String(id.prefix(8))
        let person = ApproverIdentity.current(environment: [:]).name
        let ack = try opsbrain(["alert", "ack", short])
        XCTAssertEqual(ack.status, 0, ack.stderr)
        XCTAssertEqual(ack.stdout, "acknowledged \(short) (Disk full on db-1) as \(person) from 10.0.0.7\n")
        let snooze = try opsbrain(["alert", "snooze", short, "--for", "15m"])
        XCTAssertEqual(snooze.status, 0, snooze.stderr)
        XCTAssertTrue(snooze.stdout.hasPrefix("snoozed \(short) (Disk full on db-1) until ") && snooze.stdout.hasSuffix(" UTC as \(person) from 10.0.0.7\n"),
                      snooze.stdout)
        let resolve = try opsbrain(["alert", "resolve", id, "--reason", "disk replaced"])
        XCTAssertEqual(resolve.status, 0, resolve.stderr)
        XCTAssertEqual(resolve.stdout, "resolved \(short) (Disk full on db-1) as \(person) from 10.0.0.7: disk replaced\n")
        let kinds = try connection.query("SELECT kind, actor FROM self_healing_audit_log WHERE alert_id = $1::uuid ORDER BY id", [id]).rows
        XCTAssertEqual(kinds.map { $0.string("kind") }, ["alert_acknowledged", "alert_snoozed", "alert_resolved_by_hand"])
        XCTAssertEqual(Set(kinds.map { $0.string("actor") }), ["human:\(person)"])
    }

    func testBadInputIsRefusedNamingWhatWasWrong() throws {
        let id = try fire("Disk full on db-1")
        let noReason = try opsbrain(["alert", "resolve", id])
        XCTAssertNotEqual(noReason.status, 0)
        XCTAssertTrue(noReason.stderr.contains("--reason"), noReason.stderr)
        let blank = try opsbrain(["alert", "resolve", id, "--reason", " "])
        XCTAssertEqual(blank.status, 2)
        XCTAssertEqual(blank.stderr, "opsbrain: error: a reason is required to resolve an alert by hand\n")
        let duration = try opsbrain(["alert", "snooze", id, "--for", "30x"])
        XCTAssertEqual(duration.status, 2)
        XCTAssertEqual(duration.stderr, "opsbrain: error: --for: '30x' is not a duration: use a whole number and s, m, h or d"
                       + " (like 30s, 15m, 2h, 1d)\n")
        let silence = try opsbrain(["alert", "silence", id, "--for", "2h"])
        XCTAssertEqual(silence.status, 2)
        XCTAssertEqual(silence.stderr, "opsbrain: error: only alerts from Alertmanager can be silenced at their source;"
                       + " this one came from 'cli' (snooze it instead)\n")
        let unknown = try opsbrain(["alert", "ack", "ffffffff"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertEqual(unknown.stderr, "opsbrain: error: no alert id starts with 'ffffffff'\n")
        XCTAssertEqual(try connection.query("SELECT count(*) AS n FROM self_healing_audit_log WHERE alert_id = $1::uuid", [id]).first?.int("n"), 0)
    }

    func testAnAmbiguousPrefixListsTheMatches() throws {
        for (id, title) in [("3d9f2ef4-0000-4000-8000-000000000001", "first"), ("3d9f2ef4-1000-4000-8000-000000000002", "second")] {
            try connection.query("INSERT INTO intelligence_alerts (id, alert_type, title) VALUES ($1::uuid, 'disk', $2)", [id, title])
        }
        let ack = try opsbrain(["alert", "ack", "3d9f2ef4"])
        XCTAssertEqual(ack.status, 2)
        XCTAssertEqual(ack.stderr, "opsbrain: error: '3d9f2ef4' matches several alerts: 3d9f2ef4-0000 (first), 3d9f2ef4-1000 (second);"
                       + " type more of the id\n")
    }

    func testSilenceGoesToTheConfiguredAlertmanager() throws {
        let alertmanager = try AlertmanagerProcess()
        defer { alertmanager.stop() }
        let payload = try JSONValue(parsing: """
            {"version": "4", "status": "firing", "externalURL": "\(alertmanager.baseURL)",
             "alerts": [{"status": "firing", "labels": {"alertname": "DiskFull", "instance": "db-1"},
                         "annotations": {"summary": "Disk full on db-1"}, "fingerprint": "f1"}]}
            """)
        _ = try IntakeRepository(connection: connection).ingest(try WebhookParser.alertmanager(payload))
        let id = try XCTUnwrap(connection.query("SELECT id FROM intelligence_alerts").first?.uuid("id")).uuidString.lowercased()
        let config = "targets:\n  am:\n    type: alertmanager\n    url: \(alertmanager.baseURL)\n"
        let silence = try opsbrain(["alert", "silence", String(id.prefix(8)), "--for", "2h", "--comment", "disk swap"], config: config)
        XCTAssertEqual(silence.status, 0, silence.stderr)
        let silenceID = try XCTUnwrap(connection.query("SELECT silence_id FROM intelligence_alerts").first?.string("silence_id"))
        XCTAssertTrue(silence.stdout.hasPrefix("silenced \(id.prefix(8)) (Disk full on db-1) at alertmanager 'am' until ")
                      && silence.stdout.hasSuffix("(silence \(silenceID))\n"), silence.stdout)
        let listed = try HTTPClient().send(HTTPRequest(url: alertmanager.baseURL + "/api/v2/silences", timeout: .seconds(5)))
        let silences = try JSONValue(parsing: listed.bodyText(limit: HTTPClient.responseLimit)).arrayValue ?? []
        XCTAssertEqual(silences.map { $0["id"]?.stringValue }, [silenceID])
        XCTAssertEqual(silences.first?["comment"], .string("disk swap"))
    }
}
