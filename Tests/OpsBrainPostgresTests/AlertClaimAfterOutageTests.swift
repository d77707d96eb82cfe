import Foundation
import OpsBrainCore
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// An alert an engine claimed just before its pass broke (a short database outage) is not left to
/// its 60 s lease: the engine takes it up again at once, or gives it up for the others.
final class AlertClaimAfterOutageTests: XCTestCase {
    func testAnAlertClaimedByABrokenPassIsTakenUpAtOnce() throws {
        let (connection, _) = try TestPostgres.migratedConnection()
        defer { connection.close() }
        let registry = EngineRegistry(connection: connection)
        for engine in ["first", "second"] {
            try registry.register(engineID: engine, hostname: "test", pid: 0, version: "test", mode: .auto)
        }
        let repository = ExecutionRepository(connection: connection)
        let alert = try repository.insertAlert(source: "test", alertType: "disk", title: "disk full", severity: "high", labels: [:],
                                               evidence: .object([:]), fingerprint: nil)
        XCTAssertEqual(try repository.claimAlerts(engineID: "first", limit: 50, leaseSeconds: 60).map(\.id), [alert])
        // The pass broke before the alert was handled: the same engine's next pass takes it again at once.
        XCTAssertEqual(try repository.claimAlerts(engineID: "first", limit: 50, leaseSeconds: 60).map(\.id), [alert])
        XCTAssertEqual(try repository.claimAlerts(engineID: "second", limit: 50, leaseSeconds: 60).map(\.id), [],
                       "another live engine waits while the first holds it")
        // The broken pass gives up what it claimed as soon as the database answers: the others may take it at once.
        try registry.releaseClaims(engineID: "first")
        XCTAssertEqual(try repository.claimAlerts(engineID: "second", limit: 50, leaseSeconds: 60).map(\.id), [alert],
                       "seen: the alert stayed claimed until its 60 s lease ran out")
    }
}
