extension ConsoleController {
    /// Rows (or detail lines) one notch of the wheel moves.
    static let wheelStep = 3

    /// A mouse report (`--mouse`): a click selects a list row or switches to a tab; the wheel moves the list's
    /// cursor, or scrolls the detail pane when the pointer is over it (and the dry-run result).
    ///
    /// A click never confirms anything: while a dialog, a prompt or the help is open, mouse reports are ignored.
    func handleMouse(_ event: MouseEvent, state: inout ConsoleState) -> [ConsoleEffect] {
        guard state.dialog == nil, state.prompt == nil, !state.helpVisible else { return [] }
        state.message = nil
        let layout = Layout(width: state.width, height: state.height)
        switch event.kind {
        case .click: return click(event, layout: layout, state: &state)
        case .wheelUp: return wheel(event, lines: -Self.wheelStep, layout: layout, state: &state)
        case .wheelDown: return wheel(event, lines: Self.wheelStep, layout: layout, state: &state)
        }
    }

    /// A click on a tab shows its view, as its number key does; on a list row, selects it as the cursor keys do.
    private func click(_ event: MouseEvent, layout: Layout, state: inout ConsoleState) -> [ConsoleEffect] {
        if event.y == TabBar.row, let view = TabBar(state).view(atColumn: event.x) { return show(view, state: &state) }
        guard state.view.isList, let row = layout.listRow(x: event.x, y: event.y, zoomed: state.detailZoomed) else { return [] }
        return moveCursor(.visibleRow(row), state: &state)
    }

    /// The wheel moves the list's cursor `lines` rows, or scrolls the detail pane (or the dry-run result) `lines` lines.
    private func wheel(_ event: MouseEvent, lines: Int, layout: Layout, state: inout ConsoleState) -> [ConsoleEffect] {
        if state.view.isList, !layout.detailContains(x: event.x, y: event.y, zoomed: state.detailZoomed) {
            return moveCursor(.rows(lines), state: &state)
        }
        state.detailScroll = max(0, state.detailScroll + lines)
        return []
    }
}
