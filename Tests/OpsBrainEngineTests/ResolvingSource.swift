import Foundation
import OpsBrainCore
import OpsBrainPlatform
import OpsBrainPostgres

/// The alerts' source: it resolves an alert once its run's checks pass and verification waits for
/// the resolve, as Alertmanager does when its rule clears.
final class ResolvingSource: @unchecked Sendable {
    private let stopSignal = StopSignal()
    private let thread: Thread

    init(url: String) {
        let stop = stopSignal
        thread = Thread {
            var connection: PostgresConnection?
            while !stop.isSet {
                if connection == nil { connection = try? PostgresConnection(conninfo: url, applicationName: "chaos-source") }
                if let current = connection, (try? Self.resolveWaiting(current)) == nil { connection = nil }
                stop.wait(.milliseconds(300))
            }
            connection?.close()
        }
        thread.start()
    }

    func stop() { stopSignal.set() }

    /// Resolves the alerts whose runs wait for their source's resolve.
    static func resolveWaiting(_ connection: PostgresConnection) throws {
        let waiting = try connection.query("""
            SELECT a.fingerprint, a.alert_type, a.title FROM self_healing_executions e JOIN intelligence_alerts a ON a.id = e.alert_id
            WHERE e.status = 'verifying' AND e.verification_results ? 'waiting' AND a.status = 'firing' AND a.fingerprint IS NOT NULL
            """)
        let resolves = waiting.rows.map { row in
            IncomingAlert(source: "test", alertType: row.string("alert_type") ?? "", title: row.string("title") ?? "", severity: .medium,
                          labels: [:], evidence: .object([:]), fingerprint: row.string("fingerprint") ?? "", state: .resolved)
        }
        if !resolves.isEmpty { _ = try IntakeRepository(connection: connection).ingest(resolves) }
    }
}
