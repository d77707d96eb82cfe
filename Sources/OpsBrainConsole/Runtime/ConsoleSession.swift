import Foundation
import Logging
import OpsBrainCore
import OpsBrainPostgres

/// The console's side of the database: runs the controller's effects on the UI thread's connection
/// and puts what it reads into the state. Dangerous effects are checked against read-only mode here,
/// where they are dispatched, whatever asked for them.
final class ConsoleSession {
    let connection: PostgresConnection
    let configuration: ConsoleConfiguration
    let mailbox: EventMailbox
    var state: ConsoleState
    private(set) var lastBackend: Int32
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
        lastBackend = connection.backendPID
    }

    var queries: ConsoleQueries { ConsoleQueries(connection: connection) }

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
        case .loadOlder(let view): guarded { try page(view, .older) }
        case .loadNewer(let view): guarded { try page(view, .newer) }
        case .loadHead(let view): guarded { try page(view, .head) }
        case .loadTail(let view): guarded { try page(view, .tail) }
        case .loadDetail: guarded { try loadDetail() }
        case .decide(let target, let approve, let reason): dispatchDecision(target, approve: approve, reason: reason)
        case .rollback(let target): dispatchRollback(target)
        case .dryRun(let request): dispatchDryRun(request)
        case .loadSOPNames: guarded { try loadSOPNames() }
        }
        return true
    }

    /// Reloads a view and the status bar.
    func reload(_ view: ViewID) {
        guarded {
            try reloadList(view)
            if view == .executions { try loadDetail() }
            if view == .dryRun { try loadSOPNames() }
        }
        refreshStatus()
    }

    /// Reads the status bar's counts and engines.
    func refreshStatus() {
        guarded {
            state.status.counts = try queries.counts()
            state.status.failedNotifications = try NotificationRepository(connection: connection)
                .failedCount(from: Date().addingTimeInterval(-86400), to: Date().addingTimeInterval(60))
            state.status.preflightProblems = try PreflightRepository(connection: connection).count()
            if Date().timeIntervalSince(predictedAt) > 60 {
                let samples = try ReportRepository(connection: connection).samples(from: Date().addingTimeInterval(-7 * 86400), to: Date())
                state.status.predictions = Predictor(settings: ReportSettings()).predict(samples).map(\.message)
                predictedAt = Date()
            }
            let engines = try EngineRegistry(connection: connection).engines().filter(\.alive)
            state.status.enginesAlive = engines.count
            let leader = engines.first(where: \.isLeader)
            state.status.leader = leader?.engineID
            state.status.mode = (leader ?? engines.first)?.mode
            state.status.databaseUp = true
            state.status.databaseText = connection.serverDescription
        }
    }

    /// Runs a read; a lost database shows in the status bar, a bad filter as a message.
    func guarded(_ body: () throws -> Void) {
        do {
            try body()
            noteReconnectIfAny()
        } catch let error as PostgresError where error.sqlState == "2201B" {
            state.message = ConsoleMessage("filter: \(error.message)", isError: true)
            state.filters[state.view] = nil
        } catch let error as PostgresError where error.isConnectionLoss {
            state.status.databaseUp = false
            state.status.databaseText = error.message
        } catch {
            state.message = ConsoleMessage("\(error)", isError: true)
            logger.warning("console read failed", metadata: ["error": "\(error)"])
        }
    }

    /// A silent reconnect inside a query loses notifications: re-read what is on screen.
    private func noteReconnectIfAny() {
        guard connection.backendPID != lastBackend else { return }
        lastBackend = connection.backendPID
        state.status.databaseUp = true
        reloadAfterReconnect()
    }

    /// After LISTEN is made again nothing sent meanwhile will arrive: reload the view and the counts.
    func reloadAfterReconnect() {
        lastBackend = connection.backendPID
        let view = state.view
        do {
            try reloadList(view)
            if view == .executions { try loadDetail() }
        } catch {
            state.message = ConsoleMessage("\(error)", isError: true)
        }
        refreshStatus()
    }
}
