import Foundation
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// Consoles' presence against a real PostgreSQL: who else looks at a run, rows that go stale when a
/// console stops beating, leaving, the write policy of a beat, and the announcements a LISTENer hears.
final class PresenceRepositoryTests: XCTestCase {
    private var connection: PostgresConnection!
    private var other: PostgresConnection!
    private var listener: PostgresConnection!
    private let anaConsole = UUID()
    private let bobConsole = UUID()
    private let run = UUID()

    override func setUpWithError() throws {
        let url: String
        (connection, url) = try TestPostgres.migratedConnection()
        other = try PostgresConnection(conninfo: url)
        listener = try PostgresConnection(conninfo: url)
        try listener.listen(PresenceRepository.channel)
        try listener.listen("opsbrain_events")
    }

    override func tearDown() {
        listener?.close()
        other?.close()
        connection?.close()
    }

    /// Ana's console, on its own connection.
    private var ana: PresenceRepository { PresenceRepository(connection: connection) }
    /// Bob's console, on another.
    private var bob: PresenceRepository { PresenceRepository(connection: other) }

    /// Makes `console`'s heartbeat `seconds` older, as if it had not beaten for that long.
    private func age(_ console: UUID, by seconds: Int) throws {
        try connection.query("UPDATE opsbrain_console_presence SET heartbeat_at = heartbeat_at - make_interval(secs => $2) WHERE console_id = $1::uuid",
                             [console, seconds])
    }

    private func rows() throws -> Int {
        try connection.query("SELECT count(*) AS n FROM opsbrain_console_presence").first?.int("n") ?? -1
    }

    /// Every payload heard until `console`'s arrives (up to 5 s); all of them on the presence
    /// channel, none on `opsbrain_events`, which wakes engines and notifiers.
    private func heard(until console: UUID) throws -> [String] {
        let wanted = payload(console)
        var seen: [PostgresNotification] = []
        let deadline = Date().addingTimeInterval(5)
        while !seen.map(\.payload).contains(wanted), Date() < deadline {
            if case .notifications(let notes) = try listener.waitForNotifications(timeout: .milliseconds(500)) { seen += notes }
        }
        XCTAssertTrue(seen.map(\.payload).contains(wanted), "no announcement for \(wanted) within 5 s: \(seen.map(\.payload))")
        XCTAssertEqual(Set(seen.map(\.channel)), [PresenceRepository.channel])
        return seen.map(\.payload)
    }

    private func payload(_ console: UUID) -> String { "presence:\(console.uuidString.lowercased())" }

    func testTwoConsolesSeeEachOtherOnTheRunTheyBothLookAt() throws {
        try ana.beat(console: anaConsole, user: "ana", address: "10.0.0.7", view: "executions", subject: run)
        try bob.beat(console: bobConsole, user: "bob", address: nil, view: "executions", subject: run)
        let alert = UUID()
        let carolConsole = UUID()
        try bob.beat(console: carolConsole, user: "carol", address: "10.0.0.9", view: "alerts", subject: alert)

        let seenByAna = try ana.watchers(of: run, excluding: anaConsole)
        XCTAssertEqual(seenByAna.map(\.user), ["bob"])
        XCTAssertEqual(seenByAna.first?.console, bobConsole)
        XCTAssertNil(seenByAna.first?.address)
        XCTAssertEqual(seenByAna.first?.view, "executions")
        let seenByBob = try bob.watchers(of: run, excluding: bobConsole)
        XCTAssertEqual(seenByBob.map(\.user), ["ana"])
        XCTAssertEqual(seenByBob.first?.address, "10.0.0.7")
        XCTAssertEqual(try ana.watchersBySubject(excluding: anaConsole), [run: ["bob"], alert: ["carol"]])
        XCTAssertEqual(try ana.watchersBySubject(excluding: carolConsole), [run: ["ana", "bob"]])

        // Bob opens a second console on the same run: still one name per subject.
        try bob.beat(console: UUID(), user: "bob", address: "10.0.0.8", view: "executions", subject: run)
        XCTAssertEqual(try ana.watchersBySubject(excluding: anaConsole)[run], ["bob"])
        XCTAssertEqual(try ana.watchers(of: run, excluding: anaConsole).map(\.user), ["bob", "bob"])

        // Ana moves to the alerts list with nothing selected: she no longer looks at the run.
        try ana.beat(console: anaConsole, user: "ana", address: "10.0.0.7", view: "alerts", subject: nil)
        XCTAssertEqual(try bob.watchers(of: run, excluding: bobConsole).map(\.user), ["bob"], "only bob's other console")
    }

    func testAConsoleThatStopsBeatingGoesStaleAndIsPrunedByAnotherBeat() throws {
        try ana.beat(console: anaConsole, user: "ana", address: nil, view: "executions", subject: run)
        try bob.beat(console: bobConsole, user: "bob", address: nil, view: "executions", subject: run)
        try age(bobConsole, by: 25)
        XCTAssertEqual(try ana.watchers(of: run, excluding: anaConsole).map(\.user), ["bob"], "25 s without a beat still counts")

        try age(bobConsole, by: 10)
        XCTAssertEqual(try ana.watchers(of: run, excluding: anaConsole), [], "35 s without a beat: stale")
        XCTAssertEqual(try ana.watchersBySubject(excluding: anaConsole), [:])
        XCTAssertEqual(try rows(), 2, "stale rows wait for a beat to prune them")

        try age(anaConsole, by: 11)
        XCTAssertTrue(try ana.beat(console: anaConsole, user: "ana", address: nil, view: "executions", subject: run))
        XCTAssertEqual(try rows(), 1, "ana's beat pruned bob's stale row")

        // Bob's console wakes up again: its next beat brings it back.
        XCTAssertTrue(try bob.beat(console: bobConsole, user: "bob", address: nil, view: "executions", subject: run))
        XCTAssertEqual(try ana.watchers(of: run, excluding: anaConsole).map(\.user), ["bob"])
    }

    func testLeaveRemovesTheConsoleAtOnce() throws {
        try ana.beat(console: anaConsole, user: "ana", address: nil, view: "executions", subject: run)
        try bob.beat(console: bobConsole, user: "bob", address: nil, view: "executions", subject: run)
        try bob.leave(console: bobConsole)
        XCTAssertEqual(try ana.watchers(of: run, excluding: anaConsole), [])
        XCTAssertEqual(try rows(), 1)
        try bob.leave(console: bobConsole)
        XCTAssertEqual(try rows(), 1, "leaving twice is harmless")
    }

    func testABeatWritesOnlyWhenSomethingChangedOrTheHeartbeatIsOld() throws {
        XCTAssertTrue(try ana.beat(console: anaConsole, user: "ana", address: nil, view: "executions", subject: run), "first beat")
        let written = try XCTUnwrap(try bob.watchers(of: run, excluding: bobConsole).first?.lastBeat)
        XCTAssertFalse(try ana.beat(console: anaConsole, user: "ana", address: nil, view: "executions", subject: run), "nothing changed")
        XCTAssertEqual(try bob.watchers(of: run, excluding: bobConsole).first?.lastBeat, written)
        XCTAssertTrue(try ana.beat(console: anaConsole, user: "ana", address: nil, view: "executions", subject: UUID()), "the selection moved")
        XCTAssertTrue(try ana.beat(console: anaConsole, user: "ana", address: nil, view: "alerts", subject: nil), "the view changed")
        XCTAssertFalse(try ana.beat(console: anaConsole, user: "ana", address: nil, view: "alerts", subject: nil))
        try age(anaConsole, by: 11)
        XCTAssertTrue(try ana.beat(console: anaConsole, user: "ana", address: nil, view: "alerts", subject: nil),
                      "a heartbeat older than 10 s is renewed")
        XCTAssertFalse(try ana.beat(console: anaConsole, user: "ana", address: nil, view: "alerts", subject: nil))
        XCTAssertThrowsError(try ana.beat(console: UUID(), user: " ", address: nil, view: "alerts", subject: nil), "a user name is required")
    }

    /// A LISTENer hears a console come, move, come back from stale and leave; a beat that changes
    /// nothing, or only renews the heartbeat, says nothing. (Announcements arrive in commit order,
    /// so another console's beat after it proves that a quiet beat was quiet.)
    func testListenersHearWhatOthersSeeChangeAndNothingElse() throws {
        try ana.beat(console: anaConsole, user: "ana", address: nil, view: "executions", subject: run)
        XCTAssertEqual(try heard(until: anaConsole), [payload(anaConsole)], "a console appears")

        try ana.beat(console: anaConsole, user: "ana", address: nil, view: "executions", subject: run)
        try age(anaConsole, by: 11)
        XCTAssertTrue(try ana.beat(console: anaConsole, user: "ana", address: nil, view: "executions", subject: run))
        try bob.beat(console: bobConsole, user: "bob", address: nil, view: "alerts", subject: nil)
        XCTAssertEqual(try heard(until: bobConsole), [payload(bobConsole)], "ana's unchanged and renewing beats said nothing")

        let selected = UUID()
        try ana.beat(console: anaConsole, user: "ana", address: nil, view: "executions", subject: selected)
        XCTAssertEqual(try heard(until: anaConsole), [payload(anaConsole)], "the selection moved")

        try age(anaConsole, by: 40)
        XCTAssertTrue(try ana.beat(console: anaConsole, user: "ana", address: nil, view: "executions", subject: selected))
        XCTAssertEqual(try heard(until: anaConsole), [payload(anaConsole)], "back after going stale, nothing else changed")

        try bob.leave(console: bobConsole)
        XCTAssertEqual(try heard(until: bobConsole), [payload(bobConsole)], "a console leaves")

        try age(anaConsole, by: 40)
        try bob.beat(console: bobConsole, user: "bob", address: nil, view: "alerts", subject: nil)
        XCTAssertEqual(try rows(), 1, "bob's beat pruned ana's stale row")
        XCTAssertEqual(try heard(until: bobConsole), [payload(bobConsole)], "pruning a row nobody saw any more says nothing")
    }
}
