import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainDocuments
import OpsBrainEngine
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// A real database with SOPs synced from test-written files, and an engine driven pass by pass.
final class EngineHarness {
    let connection: PostgresConnection
    let url: String
    let config: OpsBrainConfig
    let folder: String
    let engine: HealingEngine
    /// Whether the harness plays a source that resolves its alerts: once a run's SOP checks pass
    /// and verification waits for the resolve, the alert resolves, as Alertmanager's would when
    /// its rule clears. Off, the source is silent and verification must do without it.
    var sourceResolves = true

    /// `sops` maps `category/name` to the file text; `configYAML` gets the test database's URL
    /// (so targets can point at it) and returns the config text; `environment` is where `*_env` settings are read.
    /// `resolveWait` bounds how long verification waits for the source's resolve.
    init(sops: [String: String], configYAML: (String) -> String, mode: EngineMode = .auto,
         environment: [String: String] = ProcessInfo.processInfo.environment, resolveWait: Duration = .seconds(3)) throws {
        (connection, url) = try TestPostgres.migratedConnection()
        folder = try TemporaryDirectory.make(prefix: "ob-engine") + "/SOPs"
        for (path, text) in sops {
            let file = folder + "/" + path + ".md"
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        }
        config = try ConfigParser.parse(configYAML(url), path: "engine-test.yaml")
        let outcome = try SOPSync.run(folder: folder, config: config, connection: connection, actor: "test")
        guard outcome.skipped == 0 else {
            throw StepFailure(outcome.issues.map(\.description).joined(separator: "\n"))
        }
        var settings = EngineAssembly.settings(config: config, mode: mode, environment: environment)
        settings.engineID = "test-engine-\(UUID().uuidString.prefix(4))"
        settings.resolveWait = resolveWait
        settings.verificationRecheck = .milliseconds(300)
        engine = HealingEngine(conninfo: url, settings: settings, registry: EngineAssembly.registry(conninfo: url))
        try EngineRegistry(connection: connection).register(engineID: settings.engineID, hostname: "test", pid: 1,
                                                            version: "test", mode: mode)
    }

    deinit { connection.close() }

    var repository: ExecutionRepository { ExecutionRepository(connection: connection) }

    /// Fires an alert the way any source would.
    @discardableResult
    func fire(type: String, title: String, severity: String = "high", labels: [String: String] = [:]) throws -> UUID {
        try repository.insertAlert(source: "test", alertType: type, title: title, severity: severity, labels: labels,
                                   evidence: .object([:]), fingerprint: "test-" + UUID().uuidString)
    }

    /// One engine pass (after a heartbeat), then the source's part: resolving the alerts whose runs wait for it.
    func pass() throws {
        // The engine's heartbeat, as its heartbeat loop would beat: an engine taken for dead claims nothing.
        try EngineRegistry(connection: connection).heartbeat(engineID: engine.settings.engineID, isLeader: false)
        try engine.pass(connection, catalog: try SOPCatalog.load(connection, targets: config.targets, parameters: config.sopParameters))
        guard sourceResolves else { return }
        try ResolvingSource.resolveWaiting(connection)
    }

    /// Runs engine passes until the alert's execution reaches one of `statuses` (or times out).
    @discardableResult
    func runUntil(alert: UUID, _ statuses: Set<String>, timeout: TimeInterval = 30) throws -> ExecutionDetail {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            try pass()
            if let detail = try execution(for: alert), statuses.contains(detail.summary.status) { return detail }
            Thread.sleep(forTimeInterval: 0.2)
        }
        let status = try execution(for: alert)?.summary.status ?? "no execution"
        throw StepFailure("execution for alert \(alert) is \(status), not \(statuses.sorted()) after \(timeout)s")
    }

    /// Runs until the alert's execution asks for approval, checks the decision's reason, approves it
    /// as the on-call engineer and runs on until it finishes.
    func approveWhenAsked(alert: UUID, reasonContaining reason: String, timeout: TimeInterval = 30) throws -> ExecutionDetail {
        let waiting = try runUntil(alert: alert, ["awaiting_approval", "success", "escalated", "failed"], timeout: timeout)
        let decision = waiting.audit.first { $0.kind == "decision" }?.message ?? "no decision"
        guard waiting.summary.status == "awaiting_approval", decision.contains(reason) else {
            throw StepFailure("expected an approval request because '\(reason)', got \(waiting.summary.status): \(decision)")
        }
        try ApprovalRepository(connection: connection).decide(waiting.summary.id, approve: true,
                                                              approver: Approver(name: "ana", address: nil), reason: nil)
        return try runUntil(alert: alert, ["success", "escalated", "failed"], timeout: timeout)
    }

    /// Runs engine passes until `sql` (one `n` column) satisfies `until`; returns the last value (or throws at the timeout).
    @discardableResult
    func runUntil(count sql: String, timeout: TimeInterval = 60, _ until: (Int) -> Bool) throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        var value = -1
        while Date() < deadline {
            try pass()
            value = try count(sql)
            if until(value) { return value }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw StepFailure("\(sql) is still \(value) after \(timeout)s")
    }

    func execution(for alert: UUID) throws -> ExecutionDetail? {
        guard let id = try connection.query("SELECT id FROM self_healing_executions WHERE alert_id = $1::uuid", [alert]).first?.uuid("id")
        else { return nil }
        return try repository.detail(id)
    }
}
