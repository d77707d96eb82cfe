import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest
@testable import OpsBrainConsole

/// The console's data side on a real database, without a terminal: dispatch of dangerous actions
/// (read-only enforced there), first-decision-wins, live notifications and dry runs.
final class ConsoleSessionTests: XCTestCase {
    private func session(_ database: ConsoleTestDatabase, approver: String, readOnly: Bool = false) throws -> ConsoleSession {
        let configuration = ConsoleConfiguration(
            conninfo: database.url, approver: Approver(name: approver, address: "192.0.2.\(approver.count)"), readOnly: readOnly,
            localEngine: nil, engineSettings: database.settings, registry: EngineAssembly.registry(conninfo: database.url), theme: .dark,
            themes: ThemeLoader(directories: []), noColor: true, terminal: nil)
        let connection = try PostgresConnection(conninfo: database.url, applicationName: "console-test")
        try connection.listen("opsbrain_events")
        return ConsoleSession(connection: connection, configuration: configuration, mailbox: try EventMailbox(),
                              state: ConsoleState(width: 120, height: 40, readOnly: readOnly))
    }

    private func approvedBy(_ database: ConsoleTestDatabase, _ id: UUID) throws -> String? {
        try database.connection.query("SELECT approved_by FROM self_healing_executions WHERE id = $1::uuid", [id]).first?.string("approved_by")
    }

    func testReadOnlyIsEnforcedWhereActionsAreDispatched() throws {
        let database = try ConsoleTestDatabase()
        let id = try database.executionAwaitingApproval()
        let viewer = try session(database, approver: "ana", readOnly: true)
        viewer.reload(.approvals)
        viewer.settle()
        let target = ActionTarget(try XCTUnwrap(viewer.state.approvals.selected))
        // Even an effect that did not come from a key (the controller refuses those first) is refused here.
        viewer.perform(.decide(target, approve: true, reason: nil))
        viewer.settle()
        XCTAssertEqual(viewer.state.message, ConsoleMessage("read-only console: approve refused", isError: true))
        viewer.perform(.rollback(target))
        viewer.settle()
        XCTAssertEqual(viewer.state.message?.text, "read-only console: roll back refused")
        viewer.perform(.dryRun(DryRunRequest(sopName: "failed-jobs", alert: .existing(id))))
        viewer.settle()
        XCTAssertEqual(viewer.state.message?.text, "read-only console: dry-run refused")
        XCTAssertNil(try approvedBy(database, id))
        XCTAssertEqual(try database.connection.query("SELECT count(*) AS n FROM self_healing_executions").first?.int("n"), 1)
    }

    func testFirstDecisionWinsAndTheSecondConsoleHearsWhoMadeIt() throws {
        let database = try ConsoleTestDatabase()
        let id = try database.executionAwaitingApproval()
        let first = try session(database, approver: "ana")
        let second = try session(database, approver: "bo")
        for console in [first, second] {
            console.state.view = .approvals
            console.reload(.approvals)
            console.settle()
        }
        let target = ActionTarget(try XCTUnwrap(second.state.approvals.selected))
        first.perform(.decide(target, approve: true, reason: nil))
        first.settle()
        XCTAssertEqual(first.state.message?.isError, false, first.state.message?.text ?? "")
        second.perform(.decide(target, approve: false, reason: "too risky"))
        second.settle()
        XCTAssertEqual(second.state.message, ConsoleMessage("not rejected: already approved by ana", isError: true))
        XCTAssertEqual(try approvedBy(database, id), "ana")
        let audit = try database.connection.query("SELECT kind, actor, details->>'from' AS origin FROM self_healing_audit_log WHERE kind LIKE 'approval_%'")
        XCTAssertEqual(audit.rows.map { "\($0.string("kind")!) \($0.string("actor")!) \($0.string("origin") ?? "-")" },
                       ["approval_approved human:ana 192.0.2.3"], "who and from where are recorded")
        XCTAssertEqual(second.state.approvals.items.count, 0, "the decided approval left the list")
    }

    func testNotificationsReloadOnlyTheViewTheyConcernUnlessPaused() throws {
        let database = try ConsoleTestDatabase()
        let console = try session(database, approver: "ana")
        console.reload(.alerts)
        console.settle()
        XCTAssertEqual(console.state.alerts.items.count, 0)
        _ = try ExecutionRepository(connection: database.connection).insertAlert(
            source: "test", alertType: "disk", title: "disk full", severity: "critical", labels: [:], evidence: .object([:]), fingerprint: nil)
        let notes = try waitForNotes(console.connection)
        XCTAssertEqual(console.notified(notes), [.alerts])
        console.reload(.alerts)
        console.settle()
        XCTAssertEqual(console.state.alerts.items.map(\.title), ["disk full"])
        console.state.view = .sops
        XCTAssertEqual(console.notified(notes), [], "an alert does not concern the SOP list")
        console.state.paused = true
        console.state.view = .alerts
        XCTAssertEqual(console.notified(notes), [])
        XCTAssertEqual(console.state.changesWhilePaused, notes.count)
    }

    func testKeysAnswerWhileAQueryWaits() throws {
        let database = try ConsoleTestDatabase()
        _ = try ExecutionRepository(connection: database.connection).insertAlert(
            source: "test", alertType: "disk", title: "disk full", severity: "critical", labels: [:], evidence: .object([:]), fingerprint: nil)
        let console = try session(database, approver: "ana")
        // Another session holds the alerts table; the server ends it after 5 s, so a console that
        // queried on its UI thread would come back, late, rather than hang the test.
        let locker = try PostgresConnection(conninfo: database.url, applicationName: "console-test-locker")
        defer { locker.close() }
        try locker.query("SET idle_in_transaction_session_timeout = '5s'")
        try locker.query("BEGIN")
        try locker.query("LOCK TABLE intelligence_alerts IN ACCESS EXCLUSIVE MODE")
        console.reload(.alerts)
        XCTAssertTrue(console.reader.isBusy, "seen: the console queried on its input thread, so keys waited for the query")
        XCTAssertFalse(console.state.alerts.loaded, "the list is still loading")
        for effect in ConsoleController().handle(.char("2"), state: &console.state) { console.perform(effect) }
        XCTAssertEqual(console.state.view, .executions, "a key answers while the query waits")
        XCTAssertTrue(console.reader.isBusy)
        try locker.query("COMMIT")
        console.settle()
        XCTAssertEqual(console.state.alerts.items.map(\.title), ["disk full"], "the query's rows arrive once it ends")
    }

    private func waitForNotes(_ connection: PostgresConnection) throws -> [PostgresNotification] {
        if case .notifications(let notes) = try connection.waitForNotifications(timeout: .seconds(5)) { return notes }
        XCTFail("no notification within 5 s")
        return []
    }

    /// A console whose alert list has loaded its first page of 450 alerts (`alert 1` newest).
    private func consoleOver450Alerts() throws -> (ConsoleSession, ConsoleTestDatabase) {
        let database = try ConsoleTestDatabase()
        try database.connection.query("""
            INSERT INTO intelligence_alerts (alert_type, title, severity, created_at)
            SELECT 't', 'alert ' || i, 'low', now() - i * interval '1 second' FROM generate_series(1, 450) i
            """)
        let console = try session(database, approver: "ana")
        console.reload(.alerts)
        console.settle()
        return (console, database)
    }

    func testPagingLoadsOlderRowsAndJumpsToTheOldest() throws {
        let (console, _) = try consoleOver450Alerts()
        XCTAssertEqual(console.state.alerts.items.count, ConsoleSession.pageSize)
        XCTAssertTrue(console.state.alerts.hasOlder)
        console.perform(.loadOlder(.alerts))
        console.settle()
        XCTAssertEqual(console.state.alerts.items.count, 400)
        console.perform(.loadTail(.alerts))
        console.settle()
        XCTAssertEqual(console.state.alerts.selected?.title, "alert 450")
        XCTAssertTrue(console.state.alerts.hasNewer)
        console.perform(.loadHead(.alerts))
        console.settle()
        XCTAssertEqual(console.state.alerts.selected?.title, "alert 1")
    }

    func testAReloadQueuedBehindAPageDoesNotUndoIt() throws {
        let (console, _) = try consoleOver450Alerts()
        console.perform(.loadOlder(.alerts))
        // A notification's reload, asked for before the page arrived: it read the window without it.
        console.reload(.alerts)
        console.settle()
        XCTAssertEqual(console.state.alerts.items.count, 400, "the older page stays loaded")
    }

    func testDryRunRunsTheDiagnosisForRealAndPlansTheFix() throws {
        let database = try ConsoleTestDatabase()
        try database.connection.query("INSERT INTO jobs (status) VALUES ('failed'), ('failed'), ('failed')")
        let console = try session(database, approver: "ana")
        console.perform(.dryRun(DryRunRequest(sopName: "failed-jobs", alert: .composed(
            AlertSnapshot(source: "console-dry-run", alertType: "jobs_failed", title: "three failed", severity: .high)))))
        var descriptor = pollfd(fd: console.mailbox.readDescriptor, events: Int16(POLLIN), revents: 0)
        XCTAssertEqual(poll(&descriptor, 1, 30_000), 1, "the dry run reports back through the wake-up pipe")
        for event in console.mailbox.drain() { console.handle(event) }
        console.settle()
        let result = try XCTUnwrap(console.state.dryRun.result, console.state.dryRun.error ?? "")
        XCTAssertEqual(result.execution.status, "dry_run")
        XCTAssertEqual(result.steps.first?.result["values"]?["failed"]?.doubleValue, 3, "the diagnosis ran against the database")
        XCTAssertEqual(CheckEvidence.list(in: result.steps.first?.result ?? .null).filter { $0.expected != nil },
                       [CheckEvidence(valueName: "failed", value: .number(3), expected: "= 0", holds: false)],
                       "each check is stored with its expectation")
        XCTAssertEqual(result.fixActions?.arrayValue?.first?["can_roll_back"]?.boolValue, true, "a queue retry can be undone")
        XCTAssertTrue(result.fixActions?.arrayValue?.first?["plan"]?.stringValue?.contains("UPDATE jobs") ?? false)
        XCTAssertEqual(try database.connection.query("SELECT count(*) AS n FROM jobs WHERE status = 'failed'").first?.int("n"), 3,
                       "nothing was changed")
    }

    func testABadRegexShowsItsErrorAndTheListLoadsUnfiltered() throws {
        let database = try ConsoleTestDatabase()
        _ = try database.executionAwaitingApproval()
        let console = try session(database, approver: "ana")
        _ = ConsoleController().handle(.char("/"), state: &console.state)
        for key in "(unclosed".map(Key.char) + [.enter] {
            for effect in ConsoleController().handle(key, state: &console.state) { console.perform(effect) }
        }
        console.settle()
        XCTAssertTrue(console.state.message?.text.hasPrefix("filter: invalid regular expression") ?? false, "\(console.state.message as Any)")
        XCTAssertNil(console.state.filters[.alerts], "the bad filter is dropped")
        XCTAssertTrue(console.state.alerts.loaded, "the list does not stay at loading…")
        XCTAssertEqual(console.state.alerts.items.count, 1)
    }

    func testDryRunFromAnAlertChoosesTheSOPTheMatcherPicks() throws {
        let database = try ConsoleTestDatabase()
        _ = try database.executionAwaitingApproval()
        let other = ConsoleTestDatabase.jobsSOP.replacingOccurrences(of: "name: failed-jobs", with: "name: backlog-drain")
            .replacingOccurrences(of: "[jobs_failed]", with: "[queue_backlog]")
        try other.write(toFile: "\(database.folder)/SOPs/data/backlog-drain.md", atomically: true, encoding: .utf8)
        _ = try SOPSync.run(folder: "\(database.folder)/SOPs", config: database.config, connection: database.connection, actor: "test")
        let console = try session(database, approver: "ana")
        console.reload(.alerts)
        console.settle()
        for effect in ConsoleController().handle(.char("d"), state: &console.state) { console.perform(effect) }
        console.settle()
        XCTAssertEqual(console.state.dryRun.sopNames, ["backlog-drain", "failed-jobs"])
        XCTAssertEqual(console.state.dryRun.sopName, "failed-jobs", "the SOP the engine would pick, not the first by name")
    }

    func testDryRunsStayOutOfTheRunsListAndTheAlertsRunColumn() throws {
        let database = try ConsoleTestDatabase()
        let execution = try database.executionAwaitingApproval()
        let alert = try XCTUnwrap(try database.connection.query("SELECT alert_id FROM self_healing_executions").first?.uuid("alert_id"))
        let console = try session(database, approver: "ana")
        console.perform(.dryRun(DryRunRequest(sopName: "failed-jobs", alert: .existing(alert))))
        var descriptor = pollfd(fd: console.mailbox.readDescriptor, events: Int16(POLLIN), revents: 0)
        XCTAssertEqual(poll(&descriptor, 1, 30_000), 1)
        XCTAssertEqual(try database.connection.query("SELECT count(*) AS n FROM self_healing_executions WHERE dry_run").first?.int("n"), 1)
        for view in [ViewID.alerts, .executions] { console.reload(view) }
        console.settle()
        XCTAssertEqual(console.state.executions.items.map(\.id), [execution], "the Runs list shows real runs only")
        XCTAssertEqual(console.state.alerts.items.first?.executionID, execution, "the alert's RUN column keeps its real run")
        XCTAssertEqual(console.state.alerts.items.first?.executionStatus, "awaiting_approval")
    }

    func testAConsoleSeesWhoElseHasARunSelected() throws {
        let database = try ConsoleTestDatabase()
        let id = try database.executionAwaitingApproval()
        let ana = try session(database, approver: "ana")
        let bo = try session(database, approver: "bo")
        ana.state.view = .executions
        ana.reload(.executions)
        ana.settle()
        ana.beatPresence()
        ana.settle()
        bo.beatPresence(force: true)
        bo.settle()
        XCTAssertEqual(bo.state.watchers[id.uuidString.lowercased()], ["ana"])
        XCTAssertNil(ana.state.watchers[id.uuidString.lowercased()], "a console does not list itself")
        bo.state.view = .executions
        bo.reload(.executions)
        bo.settle()
        let screen = ScreenRenderer(glyphs: .unicode, formatting: Formatting(timeZone: .current)).render(bo.state).text
        XCTAssertTrue(screen.contains("ana is viewing \(id.uuidString.lowercased().prefix(8)) too"), screen)
        ana.leavePresence()
        bo.beatPresence(force: true)
        bo.settle()
        XCTAssertNil(bo.state.watchers[id.uuidString.lowercased()], "gone once ana leaves")
    }
}
