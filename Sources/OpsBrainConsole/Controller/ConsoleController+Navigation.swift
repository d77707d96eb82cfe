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

    /// Moves the cursor in the current list; near the window's edges it asks for the next page.
    func navigate(_ action: ConsoleAction, state: inout ConsoleState) -> [ConsoleEffect] {
        let rows = Layout(width: state.width, height: state.height).listRows(zoomed: state.detailZoomed)
        let outcome: NavigationOutcome
        switch state.view {
        case .alerts where state.alertGrouping != .none: outcome = move(&state.alertGroups, action, rows: rows)
        case .alerts: outcome = move(&state.alerts, action, rows: rows)
        case .executions: outcome = move(&state.executions, action, rows: rows)
        case .approvals: outcome = move(&state.approvals, action, rows: rows)
        case .sops: outcome = move(&state.sops, action, rows: rows)
        case .audit: outcome = move(&state.audit, action, rows: rows)
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
            effects += runbookEffects(state)
        }
        return effects
    }

    private func move<Item>(_ list: inout ListState<Item>, _ action: ConsoleAction, rows: Int) -> NavigationOutcome {
        var outcome = NavigationOutcome()
        let before = list.selected?.listID
        switch action {
        case .up: list.move(by: -1, visibleRows: rows)
        case .down: list.move(by: 1, visibleRows: rows)
        case .pageUp: list.move(by: -rows, visibleRows: rows)
        case .pageDown: list.move(by: rows, visibleRows: rows)
        case .top:
            if list.hasNewer { outcome.jumpHead = true } else { list.select(index: 0, visibleRows: rows) }
        case .bottom:
            if list.hasOlder { outcome.jumpTail = true } else { list.select(index: list.items.count - 1, visibleRows: rows) }
        default: break
        }
        outcome.selectionChanged = list.selected?.listID != before
        outcome.needOlder = list.hasOlder && list.cursor >= list.items.count - Self.prefetchDistance && !outcome.jumpTail
        outcome.needNewer = list.hasNewer && list.cursor < Self.prefetchDistance && !outcome.jumpHead
        return outcome
    }
}
