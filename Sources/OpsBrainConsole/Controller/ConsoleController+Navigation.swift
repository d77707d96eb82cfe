/// Where a cursor movement goes: a navigation key's way, a number of rows (the wheel), or a row on screen (a click).
enum CursorMove {
    case key(ConsoleAction)
    case rows(Int)
    /// The row `offset` lines below the first one on screen; nothing happens below the last row.
    case visibleRow(Int)
}

/// What a cursor movement needs from the database.
struct NavigationOutcome {
    var selectionChanged = false
    var needOlder = false
    var needNewer = false
    var jumpHead = false
    var jumpTail = false
}

extension ConsoleController {
    /// Rows from the window's edge at which the next page is read.
    static let prefetchDistance = 20

    /// Moves the cursor in the current list as a navigation key says.
    func navigate(_ action: ConsoleAction, state: inout ConsoleState) -> [ConsoleEffect] {
        moveCursor(.key(action), state: &state)
    }

    /// Moves the cursor in the current list; near the window's edges it asks for the next page, and a new
    /// selection reads what the row's detail needs.
    func moveCursor(_ movement: CursorMove, state: inout ConsoleState) -> [ConsoleEffect] {
        let rows = Layout(width: state.width, height: state.height).listRows(zoomed: state.detailZoomed)
        let outcome: NavigationOutcome
        switch state.view {
        case .alerts where state.alertGrouping != .none: outcome = move(&state.alertGroups, movement, rows: rows)
        case .alerts: outcome = move(&state.alerts, movement, rows: rows)
        case .executions: outcome = move(&state.executions, movement, rows: rows)
        case .approvals: outcome = move(&state.approvals, movement, rows: rows)
        case .sops: outcome = move(&state.sops, movement, rows: rows)
        case .audit: outcome = move(&state.audit, movement, rows: rows)
        case .dryRun, .incident: return []
        }
        var effects: [ConsoleEffect] = []
        if outcome.jumpHead { effects.append(.loadHead(state.view)) }
        if outcome.jumpTail { effects.append(.loadTail(state.view)) }
        if outcome.needOlder { effects.append(.loadOlder(state.view)) }
        if outcome.needNewer { effects.append(.loadNewer(state.view)) }
        if outcome.selectionChanged {
            state.detailScroll = 0
            if state.view == .executions { effects.append(.loadDetail) }
            effects += runbookEffects(&state)
        }
        return effects
    }

    private func move<Item>(_ list: inout ListState<Item>, _ movement: CursorMove, rows: Int) -> NavigationOutcome {
        var outcome = NavigationOutcome()
        let before = list.selected?.listID
        switch movement {
        case .key(.up): list.move(by: -1, visibleRows: rows)
        case .key(.down): list.move(by: 1, visibleRows: rows)
        case .key(.pageUp): list.move(by: -rows, visibleRows: rows)
        case .key(.pageDown): list.move(by: rows, visibleRows: rows)
        case .key(.top):
            if list.hasNewer { outcome.jumpHead = true } else { list.select(index: 0, visibleRows: rows) }
        case .key(.bottom):
            if list.hasOlder { outcome.jumpTail = true } else { list.select(index: list.items.count - 1, visibleRows: rows) }
        case .key: break
        case .rows(let delta): list.move(by: delta, visibleRows: rows)
        case .visibleRow(let offset):
            if list.items.indices.contains(list.scrollTop + offset) { list.select(index: list.scrollTop + offset, visibleRows: rows) }
        }
        outcome.selectionChanged = list.selected?.listID != before
        outcome.needOlder = list.hasOlder && list.cursor >= list.items.count - Self.prefetchDistance && !outcome.jumpTail
        outcome.needNewer = list.hasNewer && list.cursor < Self.prefetchDistance && !outcome.jumpHead
        return outcome
    }
}
