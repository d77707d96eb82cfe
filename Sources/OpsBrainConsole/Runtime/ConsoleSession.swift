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
    /// The LISTEN connection, polled by the UI thread.
    let connection: PostgresConnection
    let configuration: ConsoleConfiguration
    let mailbox: EventMailbox
    let reader: ConsoleReader
    var state: ConsoleState
    /// When predicted issues were last computed (they change slowly; once a minute is enough).
    private var predictedAt = Date.distantPast
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

    /// Runs one data effect; returns false for the effects the loop handles itself (quit, redraw, theme).
    /// This is where actions are dispatched, so read-only mode is enforced here for every dangerous effect.
    @discardableResult
    func perform(_ effect: ConsoleEffect) -> Bool {
        if effect.isDangerous, configuration.readOnly {
            refuse(effect)
            return true
        }
        switch effect {
        case .quit, .redraw, .setTheme: return false
        case .reload(let view): reload(view)
        case .loadOlder(let view): page(view, .older)
        case .loadNewer(let view): page(view, .newer)
        case .loadHead(let view): page(view, .head)
        case .loadTail(let view): page(view, .tail)
        case .loadDetail: read({ state, queries in try Self.loadDetail(in: &state, queries: queries) },
                               keep: { live, read in live.executionDetail = read.executionDetail })
        case .decide(let target, let approve, let reason): dispatchDecision(target, approve: approve, reason: reason)
        case .rollback(let target): dispatchRollback(target)
        case .dryRun(let request): dispatchDryRun(request)
        case .loadSOPNames: read({ state, queries in try Self.loadSOPNames(in: &state, queries: queries) },
                                 keep: { live, read in live.dryRun.sopNames = read.dryRun.sopNames; live.dryRun.sopIndex = read.dryRun.sopIndex })
        }
        return true
    }

    /// Reloads a view and the status bar.
    func reload(_ view: ViewID) {
        let rows = visibleRows
        read({ state, queries in
            try Self.reloadList(view, in: &state, rows: rows, queries: queries)
            if view == .executions { try Self.loadDetail(in: &state, queries: queries) }
            if view == .dryRun { try Self.loadSOPNames(in: &state, queries: queries) }
        }, keep: { live, read in
            live.refreshList(view, from: read, visibleRows: rows)
            if view == .executions { live.executionDetail = read.executionDetail }
            if view == .dryRun { (live.dryRun.sopNames, live.dryRun.sopIndex) = (read.dryRun.sopNames, read.dryRun.sopIndex) }
        })
        refreshStatus()
    }

    /// Reads the status bar's counts and engines.
    func refreshStatus() {
        let predict = Date().timeIntervalSince(predictedAt) > 60
        if predict { predictedAt = Date() }
        let before = state.status
        reader.submit { connection in
            do {
                let status = try Self.readStatus(before, predict: predict, connection: connection)
                return { $0.state.status = Self.merged(status, into: $0.state.status) }
            } catch {
                return { $0.readFailed(error) }
            }
        }
    }

    /// Runs `work` on the reader against a copy of the state as it is now; on the UI thread, `keep`
    /// moves what it read into the live state (which keys may have changed meanwhile).
    func read(_ work: @escaping @Sendable (inout ConsoleState, ConsoleQueries) throws -> Void,
              keep: @escaping @Sendable (inout ConsoleState, ConsoleState) -> Void) {
        let snapshot = state
        reader.submit { connection in
            var copy = snapshot
            do {
                try work(&copy, ConsoleQueries(connection: connection))
                return { [copy] session in keep(&session.state, copy) }
            } catch {
                return { $0.readFailed(error) }
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

    /// A read that failed: a lost database shows in the status bar, a bad filter as a message.
    func readFailed(_ error: Error) {
        if let error = error as? PostgresError, error.sqlState == "2201B" {
            state.message = ConsoleMessage("filter: \(error.message)", isError: true)
            state.filters[state.view] = nil
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
