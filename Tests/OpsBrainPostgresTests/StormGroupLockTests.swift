import Foundation
import OpsBrainCore
import OpsBrainPostgres
import OpsBrainTestSupport
import Synchronization
import XCTest

/// A storm's alerts reach several engines at once: exactly one execution opens for the group, and
/// the others join it.
final class StormGroupLockTests: XCTestCase {
    func testConcurrentEnginesOpenOneExecutionPerStorm() throws {
        let (connection, url) = try TestPostgres.migratedConnection()
        defer { connection.close() }
        let engines = 12
        let repository = ExecutionRepository(connection: connection)
        for index in 0..<engines {
            try repository.insertAlert(source: "test", alertType: "disk_full", title: "disk full \(index)", severity: "high", labels: [:],
                                       evidence: .object([:]), fingerprint: "storm-\(index)")
        }
        let connections = try (0..<engines).map { _ in try PostgresConnection(conninfo: url, applicationName: "storm-engine") }
        defer { connections.forEach { $0.close() } }
        for index in 0..<engines {
            try EngineRegistry(connection: connection).register(engineID: "engine-\(index)", hostname: "test", pid: Int32(index + 1),
                                                                version: "test", mode: .auto)
        }
        let claimed = try connections.enumerated().map { index, engine in
            try XCTUnwrap(try ExecutionRepository(connection: engine).claimAlerts(engineID: "engine-\(index)", limit: 1, leaseSeconds: 60).first)
        }
        let errors = Mutex<[String]>([])
        let start = DispatchSemaphore(value: 0)
        let group = DispatchGroup()
        for index in 0..<engines {
            let (engine, alert) = (UnsafeSendable(connections[index]), claimed[index])
            DispatchQueue.global().async(group: group) {
                start.wait()
                do {
                    _ = try ExecutionRepository(connection: engine.value).openExecution(
                        for: alert, normalized: AlertSnapshot(alertType: "disk_full", title: alert.title ?? ""), notes: [], evidence: nil,
                        sop: nil, match: nil, mode: .auto, maxAttempts: 1, actor: "engine-\(index)")
                } catch {
                    errors.withLock { $0.append("\(error)") }
                }
            }
        }
        for _ in 0..<engines { start.signal() }
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success)
        XCTAssertEqual(errors.withLock { $0 }, [])
        XCTAssertEqual(Set(claimed.map(\.id)).count, engines, "each engine took its own alert")
        XCTAssertEqual(try connection.query("SELECT count(*) AS n FROM self_healing_executions").first?.int("n"), 1,
                       "seen: with alerts split over two engines, 3 of 5 storms opened two executions")
        XCTAssertEqual(try connection.query("SELECT count(*) AS n FROM intelligence_alerts WHERE correlated_execution_id IS NOT NULL")
            .first?.int("n"), engines - 1, "every other alert joined the one execution")
    }
}

/// Hands a connection to exactly one other thread, which alone uses it.
private struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
