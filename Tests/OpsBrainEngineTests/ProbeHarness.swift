import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainDocuments
import OpsBrainEngine
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// A real database and probe schedulers built from config text, as the engine builds them.
final class ProbeHarness {
    let connection: PostgresConnection
    let url: String
    private var loops: [ObjectIdentifier: BackgroundLoop] = [:]

    init() throws {
        (connection, url) = try TestPostgres.migratedConnection()
    }

    deinit {
        loops.values.forEach { $0.stop() }
        connection.close()
    }

    /// A scheduler for the probes in `yaml` (a whole config; `$DB` is this database's URL), not started.
    func scheduler(_ yaml: String, engineID: String = "probe-test") throws -> ProbeScheduler {
        let config = try ConfigParser.parse(yaml.replacingOccurrences(of: "$DB", with: url), path: "probe-test.yaml")
        var settings = EngineAssembly.settings(config: config)
        settings.engineID = engineID
        return EngineAssembly.probeScheduler(config: config, settings: settings, conninfo: url)
    }

    /// Runs `scheduler`'s watch loop in the background, as the engine process does.
    func start(_ scheduler: ProbeScheduler, isLeader: @escaping @Sendable () -> Bool) {
        loops[ObjectIdentifier(scheduler)] = BackgroundLoop { scheduler.run(until: $0, isLeader: isLeader) }
    }

    /// Stops `scheduler`'s loop and waits for its checks to finish.
    func stop(_ scheduler: ProbeScheduler) {
        loops.removeValue(forKey: ObjectIdentifier(scheduler))?.stop()
    }

    /// The probe alert rows for `probe`: status, count, evidence and labels.
    func alerts(_ probe: String) throws -> [Row] {
        try connection.query("""
            SELECT status, count, source, alert_type, title, severity, evidence::text AS evidence, labels::text AS labels, resolved_at
            FROM intelligence_alerts WHERE fingerprint = $1 ORDER BY created_at
            """, [ProbeDefinition.fingerprint(of: probe)]).rows
    }

    /// Samples of one series, oldest first.
    func samples(_ series: String) throws -> [ProbeSample] {
        try ProbeRepository(connection: connection).samples(series: series, limit: 10_000).reversed()
    }

    /// Waits until `condition` holds; fails the test after `timeout`.
    func eventually(_ what: String, timeout: TimeInterval = 15, file: StaticString = #filePath, line: UInt = #line,
                    _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTFail("timed out waiting until \(what)", file: file, line: line)
        throw StepFailure("timed out waiting until \(what)")
    }
}

/// The leader lock held on a connection of its own, as an engine's heartbeat holds it.
final class LeaderLock: @unchecked Sendable {
    private let lock = NSLock()
    private var connection: PostgresConnection?

    init(url: String) throws {
        connection = try PostgresConnection(conninfo: url, applicationName: "probe-test-leader")
    }

    /// Tries to take (or keep) the lock; false once released.
    func isLeader() -> Bool {
        lock.withLock {
            guard let connection else { return false }
            return (try? EngineRegistry(connection: connection).tryLeadership()) ?? false
        }
    }

    /// Ends the session, which releases the lock (as a stopped or crashed engine's does).
    func release() {
        lock.withLock {
            connection?.close()
            connection = nil
        }
    }
}
