import Foundation
import OpsBrainCore
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// The leader flag in `opsbrain_engines` names at most one live engine.
final class EngineLeadershipTests: XCTestCase {
    func testADeadLeadersRowLosesTheFlagToTheNextLeader() throws {
        let (connection, _) = try TestPostgres.migratedConnection()
        defer { connection.close() }
        let registry = EngineRegistry(connection: connection)
        for engine in ["old", "new"] {
            try registry.register(engineID: engine, hostname: "test", pid: 1, version: "test", mode: .auto)
        }
        try registry.heartbeat(engineID: "old", isLeader: true)
        // "old" dies while leading: its heartbeat ages past the limit.
        try connection.query("UPDATE opsbrain_engines SET heartbeat_at = now() - interval '1 minute' WHERE engine_id = 'old'")
        XCTAssertEqual(try registry.engines().filter(\.isLeader).map(\.engineID), [], "a dead engine is never shown leading")
        try registry.heartbeat(engineID: "new", isLeader: true)
        let flags = try connection.query("SELECT engine_id FROM opsbrain_engines WHERE is_leader ORDER BY engine_id").rows.compactMap { $0.string("engine_id") }
        XCTAssertEqual(flags, ["new"], "seen: dead engines' rows kept is_leader = t")
        try registry.markStopped(engineID: "new")
        XCTAssertEqual(try connection.query("SELECT count(*) AS n FROM opsbrain_engines WHERE is_leader").first?.int("n"), 0)
    }
}
