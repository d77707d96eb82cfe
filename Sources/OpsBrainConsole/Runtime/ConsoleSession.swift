import Foundation
import Logging
import OpsBrainCore
import OpsBrainPostgres

/// The console's side of the database: turns the controller's effects into jobs for the reader,
/// and puts what they read into the state. Dangerous effects are checked against read-only mode
/// here, where they are dispatched, whatever asked for them.
///
/// The UI thread's own connection only listens for notifications; every query and write runs on
/// the reader's thread, so keys answer while one runs.
final class ConsoleSession {
    /// The LISTEN connection, polled by the UI thread (replaced, not reset, when it is lost).
    private(set) var connection: PostgresConnection
    let configuration: ConsoleConfiguration
    let mailbox: EventMailbox
    let reader: ConsoleReader
    var state: ConsoleState
    /// When predicted issues were last computed (they change slowly; once a minute is enough).
    private var predictedAt = Date.distantPast
    /// A new LISTEN connection is being made on the reader.
    private var reconnecting = false
    /// This console among the others (its presence row).
    let consoleID = UUID()
    /// What the last presence beat said this console looks at.
    var lastPresenceSubject: UUID?
    /// The console has left: no more beats.
    var leftPresence = false
    let logger = Logger(label: "opsbrain.console")

    /// Rows read per page, and the most a list window keeps.
    static let pageSize = 200
    static let windowLimit = 2000

    init(connection: PostgresConnection, configuration: ConsoleConfiguration, mailbox: EventMailbox, state: ConsoleState) {
        self.connection = connection
        self.configuration = configuration
        self.mailbox = mailbox
        self.state = state
        reader = ConsoleReader(conninfo: configuration.conninfo, mailbox: mailbox)
    }

    deinit { reader.stop() }

    /// Rows of the current list view on screen.
    var visibleRows: Int { Layout(width: state.width, height: state.height).listRows(zoomed: state.detailZoomed) }

    /// Runs one data effect; returns false for the effects the loop handles itself (quit, redraw, theme, clipboard).
    /// This is where actions are dispatched, so read-only mode is enforced here for every dangerous effect.
    @discardableResult
    func perform(_ effect: ConsoleEffect) -> Bool {
        if effect.writes, configuration.readOnly {
            refuse(effect)
            return true
        }
        switch effect {
        case .quit, .redraw, .setTheme, .copyToClipboard: return false
        case .reload(let view): reload(view)
        case .loadOlder(let view): page(view, .older)
        case .loadNewer(let view): page(view, .newer)
        case .loadHead(let view): page(view, .head)
        case .loadTail(let view): page(view, .tail)
        case .loadDetail: read({ state, queries in try Self.loadDetail(in: &state, queries: queries) },
                               keep: { session, read in session.state.takeDetail(from: read) })
        case .decide(let target, let approve, let reason): dispatchDecision(target, approve: approve, reason: reason)
        case .rollback(let target): dispatchRollback(target)
        case .alertAction(let request): dispatchAlertAction(request)
        case .exportIncident(let timeline): exportIncident(timeline)
        case .dryRun(let request): dispatchDryRun(request)
        case .loadRunbook(let name):
            read({ state, queries in
                state.runbook = try queries.runbook(name).map { ConsoleRunbook(sopName: name, version: $0.version, text: $0.text) }
                    ?? ConsoleRunbook(sopName: name, version: 0, text: "(no SOP named \(name) is synced: no runbook to show)")
            }, keep: { session, read in session.state.runbook = read.runbook })
        case .loadSOPNames(let alertID):
            let settings = configuration.engineSettings
            read({ state, queries in
                try Self.loadSOPNames(in: &state, queries: queries)
                if let alertID { try Self.chooseMatchedSOP(for: alertID, in: &state, queries: queries, settings: settings) }
            }, keep: { session, read in session.state.takeSOPNames(from: read) })
        }
        return true
    }

    /// Reloads a view and the status bar. A reload that a page overtook (the window it read from
    /// is no longer the one on screen) is read again rather than undoing the page.
    func reload(_ view: ViewID) {
        let rows = visibleRows
        let pages = state.pagesTaken[view, default: 0]
        read({ state, queries in
            try Self.reloadList(view, in: &state, rows: rows, queries: queries)
            if view == .executions { try Self.loadDetail(in: &state, queries: queries) }
            if view == .dryRun { try Self.loadSOPNames(in: &state, queries: queries) }
        }, keep: { session, read in
            guard session.state.pagesTaken[view, default: 0] == pages else { return session.reload(view) }
            session.state.refreshList(view, from: read, visibleRows: session.visibleRows)
            if view == .executions { session.state.takeDetail(from: read) }
            if view == .dryRun { session.state.takeSOPNames(from: read) }
        })
        refreshStatus()
    }

    /// Makes a new LISTEN connection on the reader (connecting can take seconds) and swaps it in;
    /// the UI thread never waits on it.
    func reconnectListener() {
        guard !reconnecting else { return }
        reconnecting = true
        let conninfo = configuration.conninfo
        reader.submit { _ in
            do {
                let fresh = Handover(try PostgresConnection(conninfo: conninfo, applicationName: "opsbrain-console"))
                try fresh.connection.listen("opsbrain_events")
                try fresh.connection.listen(PresenceRepository.channel)
                return { session in
                    session.reconnecting = false
                    session.connection.close()
                    session.connection = fresh.connection
                    session.reloadAfterReconnect()
                }
            } catch {
                return { session in
                    session.reconnecting = false
                    session.readFailed(error, view: nil)
                }
            }
        }
    }

    /// Reads the status bar's counts and engines.
    func refreshStatus() {
        let predict = Date().timeIntervalSince(predictedAt) > 60
        if predict { predictedAt = Date() }
        let before = state.status
        reader.submit { connect in
            do {
                let status = try Self.readStatus(before, predict: predict, connection: connect())
                return { $0.state.status = Self.merged(status, into: $0.state.status) }
            } catch {
                return { $0.readFailed(error, view: nil) }
            }
        }
    }

    /// Runs `work` on the reader against a copy of the state as it is now; on the UI thread, `keep`
    /// moves what it read into the session's live state (which keys may have changed meanwhile).
    func read(_ work: @escaping @Sendable (inout ConsoleState, ConsoleQueries) throws -> Void,
              keep: @escaping @Sendable (ConsoleSession, ConsoleState) -> Void) {
        let snapshot = state
        reader.submit { connect in
            var copy = snapshot
            do {
                try work(&copy, ConsoleQueries(connection: connect()))
                return { [copy] session in keep(session, copy) }
            } catch {
                return { $0.readFailed(error, view: snapshot.view) }
            }
        }
    }

    /// Applies what the reader handed back, in order (on the UI thread).
    func applyUpdates() {
        for update in mailbox.drainUpdates() {
            update(self)
            reader.applied()
        }
    }

    /// Waits until every submitted job's update is applied, at most `timeout` (tests, and the loop's last paint).
    func settle(timeout: TimeInterval = 10) {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            applyUpdates()
            guard reader.isBusy else { return }
            Thread.sleep(forTimeInterval: 0.005)
        } while Date() < deadline
    }

    /// A read of `view` (nil: the status bar) that failed: a lost database shows in the status bar,
    /// a bad filter as a message, and the view loads again without it.
    func readFailed(_ error: Error, view: ViewID?) {
        if let error = error as? PostgresError, error.sqlState == "2201B" {
            state.message = ConsoleMessage("filter: \(error.message)", isError: true)
            if let view, state.filters[view] != nil {
                state.filters[view] = nil
                reload(view)
            }
        } else if let error = error as? PostgresError, error.isConnectionLoss {
            state.status.databaseUp = false
            state.status.databaseText = error.message
        } else {
            state.message = ConsoleMessage("\(error)", isError: true)
            logger.warning("console read failed", metadata: ["error": "\(error)"])
        }
    }

    /// After LISTEN is made again nothing sent meanwhile will arrive: reload the view and the counts.
    func reloadAfterReconnect() {
        reload(state.view)
    }
}

/// A connection made on the reader's thread and handed to the UI thread, which alone uses it from then on.
private struct Handover: @unchecked Sendable {
    let connection: PostgresConnection
    init(_ connection: PostgresConnection) { self.connection = connection }
}
