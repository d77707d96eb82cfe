import Foundation
import OpsBrainCore

/// Turns the console state into a cell grid: a pure function, so every screen can be tested as text.
public struct ScreenRenderer: Sendable {
    public var glyphs: Glyphs
    public var formatting: Formatting

    public init(glyphs: Glyphs = .unicode, formatting: Formatting = Formatting()) {
        self.glyphs = glyphs
        self.formatting = formatting
    }

    /// The whole screen for `state`.
    public func render(_ state: ConsoleState) -> CellGrid {
        var grid = CellGrid(width: state.width, height: state.height)
        if state.tooSmall {
            drawTooSmall(state, into: &grid)
            return grid
        }
        let layout = Layout(width: state.width, height: state.height)
        drawStatusBar(state, into: &grid)
        drawTabs(state, into: &grid)
        drawFrame(title: frameTitle(state), filter: filterLabel(state), rect: Rect(x: 0, y: 2, width: state.width, height: state.height - 3),
                  into: &grid)
        drawView(state, layout: layout, into: &grid)
        drawBottomLine(state, into: &grid)
        if state.helpVisible { drawHelp(state, into: &grid) }
        if let dialog = state.dialog { drawDialog(dialog, state: state, into: &grid) }
        return grid
    }

    private func drawView(_ state: ConsoleState, layout: Layout, into grid: inout CellGrid) {
        switch state.view {
        case .alerts: drawAlerts(state, layout: layout, into: &grid)
        case .executions: drawExecutions(state, layout: layout, into: &grid)
        case .approvals: drawApprovals(state, layout: layout, into: &grid)
        case .sops: drawSOPs(state, layout: layout, into: &grid)
        case .audit: drawAudit(state, layout: layout, into: &grid)
        case .dryRun: drawDryRun(state, rect: layout.body, into: &grid)
        case .incident: drawIncident(state, rect: layout.body, into: &grid)
        }
    }

    private func drawTooSmall(_ state: ConsoleState, into grid: inout CellGrid) {
        let lines = ["terminal too small: need \(ConsoleState.minimumWidth)x\(ConsoleState.minimumHeight)",
                     "(now \(state.width)x\(state.height))", "q quits"]
        let top = max(0, (state.height - lines.count) / 2)
        for (offset, line) in lines.enumerated() {
            let x = max(0, (state.width - TextWidth.of(line)) / 2)
            grid.write(line, x: x, y: top + offset, role: offset == 0 ? .error : .muted)
        }
    }

    // MARK: Frame pieces

    /// Draws a box with a title in its top edge.
    func drawFrame(title: String, filter: String?, rect: Rect, into grid: inout CellGrid, role: ThemeRole = .border,
                   fill: ThemeRole? = nil) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        if let fill { for y in rect.y..<(rect.y + rect.height) { grid.fill(x: rect.x, y: y, count: rect.width, role: fill) } }
        let bottom = rect.y + rect.height - 1
        let right = rect.x + rect.width - 1
        for x in (rect.x + 1)..<right {
            grid.write(glyphs.horizontal, x: x, y: rect.y, role: role)
            grid.write(glyphs.horizontal, x: x, y: bottom, role: role)
        }
        for y in (rect.y + 1)..<bottom {
            grid.write(glyphs.vertical, x: rect.x, y: y, role: role)
            grid.write(glyphs.vertical, x: right, y: y, role: role)
        }
        grid.write(glyphs.topLeft, x: rect.x, y: rect.y, role: role)
        grid.write(glyphs.topRight, x: right, y: rect.y, role: role)
        grid.write(glyphs.bottomLeft, x: rect.x, y: bottom, role: role)
        grid.write(glyphs.bottomRight, x: right, y: bottom, role: role)
        let used = grid.write(glyphs.clean(" \(title) "), x: rect.x + 2, y: rect.y, role: .title, limit: rect.width - 4)
        if let filter {
            grid.write(glyphs.clean(" \(filter) "), x: rect.x + 3 + used, y: rect.y, role: .bannerFilter, limit: rect.width - used - 5)
        }
    }

    private func frameTitle(_ state: ConsoleState) -> String {
        func count<Item>(_ list: ListState<Item>) -> String {
            guard list.loaded else { return "loading" }
            let more = list.hasOlder || list.hasNewer ? "+" : ""
            return "\(list.items.count)\(more)"
        }
        switch state.view {
        case .alerts where state.alertGrouping != .none: return "Alert groups \(count(state.alertGroups))"
        case .alerts: return "Alerts \(count(state.alerts))"
        case .executions: return "Runs \(count(state.executions))"
        case .approvals: return "Approvals \(count(state.approvals)) waiting"
        case .sops: return "SOPs \(count(state.sops))"
        case .audit:
            let scope = state.auditFilter.executionPrefix.map { " of " + $0.prefix(8) } ?? ""
            return "Audit trail\(scope) \(count(state.audit))"
        case .dryRun: return "Dry-run: real diagnosis, planned fixes, nothing changed"
        case .incident: return "Incident \(state.incident.subject?.shortID ?? "")"
        }
    }

    private func filterLabel(_ state: ConsoleState) -> String? {
        var parts: [String] = []
        if let filter = state.filter, !filter.pattern.isEmpty { parts.append((filter.inverted ? "/!" : "/") + filter.pattern) }
        if state.view == .alerts, state.alertGrouping != .none { parts.append("grouped by \(state.alertGrouping.rawValue)") }
        if state.view == .alerts, state.alertSort != .age, state.alertGrouping == .none { parts.append("sorted by \(state.alertSort.rawValue)") }
        if state.view == .audit {
            let audit = state.auditFilter
            if let kind = audit.kind { parts.append("kind=\(kind)") }
            if let actor = audit.actor { parts.append("actor=\(actor)") }
            if let sop = audit.sopName { parts.append("sop=\(sop)") }
            if let since = audit.sinceSeconds { parts.append("since=\(Formatting.duration(milliseconds: since * 1000))") }
        }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    /// The tab bar, the current view's tab highlighted.
    private func drawTabs(_ state: ConsoleState, into grid: inout CellGrid) {
        grid.fill(x: 0, y: TabBar.row, count: state.width, role: .tab)
        for tab in TabBar(state).tabs {
            grid.write(tab.label, x: tab.x, y: TabBar.row, role: tab.view == state.view ? .tabActive : .tab)
        }
    }

    private func drawBottomLine(_ state: ConsoleState, into grid: inout CellGrid) {
        let y = state.height - 1
        grid.fill(x: 0, y: y, count: state.width, role: .body)
        if let prompt = state.prompt {
            let (label, text) = promptText(prompt, state: state)
            let used = grid.write(label, x: 0, y: y, role: .keyHint)
            let shown = glyphs.clean(text) + "_"
            let room = state.width - used
            let tail = TextWidth.of(shown) > room ? String(shown.suffix(max(1, room - 1))) : shown
            grid.write(tail, x: used, y: y, role: .body, limit: room)
        } else if let message = state.message {
            grid.write(glyphs.clean(message.text), x: 0, y: y, role: message.isError ? .error : .notice)
        } else {
            drawHints(state, y: y, into: &grid)
        }
    }

    private func promptText(_ prompt: Prompt, state: ConsoleState) -> (String, String) {
        switch prompt {
        case .filter(let text): return ("/", text)
        case .command(let text, _): return (":", text)
        case .reason(let text, let target): return ("reason to reject \(target.shortID) (Enter next, Esc cancel): ", text)
        case .field(let text): return ("\(state.dryRun.focus.label): ", text)
        case .alertAction(let text, let asked): return (asked.label, text)
        }
    }

    private func drawHints(_ state: ConsoleState, y: Int, into grid: inout CellGrid) {
        if state.view == .dryRun {
            return drawHints([("Tab", "field"), ("Left/Right", "choose (or type)"), ("Enter", "edit/run"), ("^X", "run"),
                              ("PgUp/PgDn", "scroll"), ("Esc", "leave"), ("^C", "quit")], y: y, into: &grid)
        }
        var hints: [(String, String)] = [("?", "help")]
        switch state.view {
        case .approvals: hints += [("A", "approve"), ("R", "reject"), ("o", "run"), ("t", "trail")]
        case .executions: hints += [("A", "approve"), ("R", "reject"), ("B", "rollback"), ("t", "trail")]
        case .alerts: hints += [("a", "ack"), ("z", "snooze"), ("o", "run"), ("t", "trail"), ("d", "dry-run")]
        case .sops: hints += [("d", "dry-run")]
        case .audit: hints += [("o", "run")]
        case .incident: hints += [("j/k", "scroll"), ("E", "export"), ("Esc", "back")]
        case .dryRun: break
        }
        if state.view.isList { hints += [("Enter", "detail"), ("/", "filter")] }
        hints += [(":", "command"), ("p", state.paused ? "resume" : "pause"), ("q", "quit")]
        drawHints(hints, y: y, into: &grid)
    }

    private func drawHints(_ hints: [(String, String)], y: Int, into grid: inout CellGrid) {
        var x = 1
        for (key, text) in hints {
            guard x + TextWidth.of(key) + TextWidth.of(text) + 1 < grid.width else { break }
            x += grid.write(key, x: x, y: y, role: .keyHint)
            x += grid.write(" \(text)  ", x: x, y: y, role: .muted)
        }
    }
}
