import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainDocuments
import OpsBrainEngine
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// A real test database with a synced SOP that needs approval (retrying failed jobs in a `jobs` table
/// of the same database), a config file on disk, and an engine that can be driven pass by pass.
final class ConsoleTestDatabase {
    let connection: PostgresConnection
    let url: String
    let folder: String
    let configPath: String
    let config: OpsBrainConfig

    init() throws {
        (connection, url) = try TestPostgres.migratedConnection()
        folder = try TemporaryDirectory.make(prefix: "ob-console")
        let sopFile = "\(folder)/SOPs/data/failed-jobs.md"
        try FileManager.default.createDirectory(atPath: (sopFile as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Self.jobsSOP.write(toFile: sopFile, atomically: true, encoding: .utf8)
        configPath = "\(folder)/opsbrain.yaml"
        try Self.config(url: url, sopsDirectory: "\(folder)/SOPs").write(toFile: configPath, atomically: true, encoding: .utf8)
        config = try ConfigParser.parse(try String(contentsOfFile: configPath, encoding: .utf8), path: configPath)
        try connection.query("CREATE TABLE jobs (id serial PRIMARY KEY, status text NOT NULL)")
        let outcome = try SOPSync.run(folder: "\(folder)/SOPs", config: config, connection: connection, actor: "test")
        guard outcome.skipped == 0 else { throw StepFailure(outcome.issues.map(\.description).joined(separator: "\n")) }
    }

    deinit { connection.close() }

    /// Engine settings in approval mode, as the console command builds them.
    var settings: EngineSettings {
        var settings = EngineAssembly.settings(config: config, mode: .approval)
        settings.engineID = "console-test-\(UUID().uuidString.prefix(4).lowercased())"
        return settings
    }

    /// Fires a failed-jobs alert (with failed jobs to find) and drives an engine until its fix awaits approval.
    func executionAwaitingApproval(title: String = "jobs failing") throws -> UUID {
        try connection.query("INSERT INTO jobs (status) VALUES ('failed'), ('failed')")
        let alert = try ExecutionRepository(connection: connection).insertAlert(
            source: "test", alertType: "jobs_failed", title: title, severity: "high", labels: [:], evidence: .object([:]), fingerprint: nil)
        let engine = HealingEngine(conninfo: url, settings: settings, registry: EngineAssembly.registry(conninfo: url))
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let catalog = try SOPCatalog.load(connection, targets: config.targets, parameters: config.sopParameters)
            try engine.pass(connection, catalog: catalog)
            if let row = try connection.query("SELECT id, status FROM self_healing_executions WHERE alert_id = $1::uuid", [alert]).first,
               row.string("status") == "awaiting_approval", let id = row.uuid("id") {
                return id
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw StepFailure("no execution awaiting approval for alert \(alert)")
    }

    static func config(url: String, sopsDirectory: String) -> String {
        "engine:\n  mode: approval\n  sops_dir: \(sopsDirectory)\n" + TestRunbooks.targets(url: url)
    }

    static let jobsSOP = """
        ---
        name: failed-jobs
        category: data
        agent: data
        description: Retry background jobs that failed.
        severity: high
        risk: low
        auto_fix: true
        requires_approval: true
        cooldown_minutes: 0
        trigger:
          alert_types: [jobs_failed]
        diagnosis:
          - id: failed_jobs
            type: sql
            target: app_db
            query: "SELECT count(*) AS failed FROM jobs WHERE status = 'failed'"
            expect: {failed: 0}
        fix:
          - id: retry
            operation: queue_retry
            when: "failed_jobs.failed > 0"
            statement: retry_jobs
            limit: 100
        verification:
          wait_before: 0s
          attempts: 1
          rerun_alert_check: false
          steps:
            - id: none_failed
              type: sql
              target: app_db
              query: "SELECT count(*) AS failed FROM jobs WHERE status = 'failed'"
              expect: {failed: 0}
        escalate_if:
          - when: "attempts >= 2"
            reason: too many attempts
        ---
        # Failed jobs

        ## Trigger
        See front matter.

        ## Severity
        HIGH

        ## Auto-Fix Allowed
        YES, with approval.

        ## Diagnosis Steps
        1. Count failed jobs.

        ## Fix Steps
        1. Retry them.

        ## Verification
        - No failed jobs remain.

        ## Escalate If
        - It fails twice.

        ## Notification
        Slack: #ops-alerts
        """
}
