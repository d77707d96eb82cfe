import Foundation
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPostgres

/// A list row with a keyset position.
protocol KeyedItem: ListItem {
    var key: KeysetKey { get }
}

extension ConsoleAlert: KeyedItem {}
extension ConsoleExecution: KeyedItem {}
extension ConsoleAuditEntry: KeyedItem {}

/// A paging step of a keyset list.
enum PageStep {
    case older, newer, head, tail
}

extension ConsoleSession {
    /// Re-reads the loaded window of a list (at the head: the newest rows, at least a page).
    static func reloadList(_ view: ViewID, in state: inout ConsoleState, rows: Int, queries: ConsoleQueries) throws {
        let filter = state.filters[view]
        switch view {
        case .alerts where state.alertGrouping != .none:
            state.alertGroups.replace(with: try queries.alertGroups(by: state.alertGrouping, filter: filter), visibleRows: rows)
        case .alerts where state.alertSort != .age:
            state.alerts.replace(with: try queries.alerts(.newest(limit: windowLimit), filter: filter, sort: state.alertSort), visibleRows: rows)
        case .alerts: try Self.refreshWindow(&state.alerts, rows: rows) { try queries.alerts($0, filter: filter) }
        case .executions: try Self.refreshWindow(&state.executions, rows: rows) { try queries.executions($0, filter: filter) }
        case .audit:
            let auditFilter = auditFilter(state)
            try Self.refreshWindow(&state.audit, rows: rows) { try queries.audit($0, filter: auditFilter) }
        case .approvals: state.approvals.replace(with: try queries.pendingApprovals(filter: filter), visibleRows: rows)
        case .sops: state.sops.replace(with: try queries.sopStats(filter: filter), visibleRows: rows)
        case .dryRun: break
        case .incident: try loadIncident(in: &state, connection: queries.connection)
        }
    }

    /// Reads the timeline of the incident the view was opened on.
    static func loadIncident(in state: inout ConsoleState, connection: PostgresConnection) throws {
        guard let subject = state.incident.subject else { return }
        state.incident.timeline = try IncidentRepository(connection: connection).timeline(for: subject)
        state.incident.error = state.incident.timeline == nil ? "no incident found for \(subject.shortID)" : nil
    }

    private static func auditFilter(_ state: ConsoleState) -> AuditFilter {
        var filter = state.auditFilter
        filter.text = state.filters[.audit]
        return filter
    }

    private static func refreshWindow<Item: KeyedItem>(_ list: inout ListState<Item>, rows: Int,
                                                       fetch: (KeysetPage) throws -> [Item]) throws {
        if list.hasNewer, let first = list.items.first, let last = list.items.last {
            list.replace(with: try fetch(.between(newest: first.key, oldest: last.key, limit: windowLimit)), visibleRows: rows)
            return
        }
        let limit = min(windowLimit, max(pageSize, list.items.count))
        let items = try fetch(.newest(limit: limit))
        list.replace(with: items, visibleRows: rows)
        list.hasOlder = items.count == limit
        list.hasNewer = false
    }

    /// Reads the next page below or above the window (added to the live list, the cursor where the
    /// user has it), or jumps to the newest or oldest rows (the list read replaces the live one).
    func page(_ view: ViewID, _ step: PageStep) {
        let rows = visibleRows
        read({ state, queries in try Self.page(view, step, in: &state, rows: rows, queries: queries) },
             keep: { session, read in
                 session.state.takePage(view, step, from: read, limit: Self.windowLimit)
                 if view == .executions { session.state.takeDetail(from: read) }
             })
    }

    private static func page(_ view: ViewID, _ step: PageStep, in state: inout ConsoleState, rows: Int, queries: ConsoleQueries) throws {
        let filter = state.filters[view]
        switch view {
        case .alerts: try Self.apply(step, to: &state.alerts, rows: rows) { try queries.alerts($0, filter: filter) }
        case .executions: try Self.apply(step, to: &state.executions, rows: rows) { try queries.executions($0, filter: filter) }
        case .audit:
            let auditFilter = auditFilter(state)
            try Self.apply(step, to: &state.audit, rows: rows) { try queries.audit($0, filter: auditFilter) }
        default: return
        }
        if view == .executions, step == .head || step == .tail { try loadDetail(in: &state, queries: queries) }
    }

    private static func apply<Item: KeyedItem>(_ step: PageStep, to list: inout ListState<Item>, rows: Int,
                                               fetch: (KeysetPage) throws -> [Item]) throws {
        switch step {
        case .older:
            guard let last = list.items.last else { return }
            let items = try fetch(.olderThan(last.key, limit: pageSize))
            list.append(older: items)
            list.hasOlder = items.count == pageSize
            list.trim(to: windowLimit)
        case .newer:
            guard let first = list.items.first else { return }
            let items = try fetch(.newerThan(first.key, limit: pageSize))
            list.prepend(newer: items)
            list.hasNewer = items.count == pageSize
            list.trim(to: windowLimit)
        case .head:
            let items = try fetch(.newest(limit: pageSize))
            list.reset()
            list.replace(with: items, visibleRows: rows)
            list.hasOlder = items.count == pageSize
            list.select(index: 0, visibleRows: rows)
        case .tail:
            let items = try fetch(.oldest(limit: pageSize))
            list.reset()
            list.replace(with: items, visibleRows: rows)
            list.hasNewer = items.count == pageSize
            list.select(index: items.count - 1, visibleRows: rows)
        }
    }

    /// Reads the selected execution's detail.
    static func loadDetail(in state: inout ConsoleState, queries: ConsoleQueries) throws {
        guard let id = state.executions.selected?.id else { state.executionDetail = nil; return }
        state.executionDetail = try queries.executionDetail(id)
    }

    /// Reads the SOP names for the dry-run form, keeping the chosen one selected.
    static func loadSOPNames(in state: inout ConsoleState, queries: ConsoleQueries) throws {
        let chosen = state.dryRun.sopName
        state.dryRun.sopNames = try queries.sopNames()
        state.dryRun.sopIndex = chosen.flatMap { state.dryRun.sopNames.firstIndex(of: $0) } ?? 0
    }

    /// Chooses the SOP the engine's matcher picks for the alert (the form keeps its choice when none matches).
    static func chooseMatchedSOP(for alertID: UUID, in state: inout ConsoleState, queries: ConsoleQueries,
                                 settings: EngineSettings) throws {
        guard let alert = try ExecutionRepository(connection: queries.connection).alertSnapshot(alertID),
              let (_, entry) = try SOPCatalog.load(queries.connection, settings: settings).bestMatch(for: alert),
              let index = state.dryRun.sopNames.firstIndex(of: entry.definition.name) else { return }
        state.dryRun.sopIndex = index
    }
}
