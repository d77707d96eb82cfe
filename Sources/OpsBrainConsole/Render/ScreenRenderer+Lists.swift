import OpsBrainCore
import OpsBrainPostgres

extension ScreenRenderer {
    /// Draws a list view: the table, and the selected row's detail beside or under it (or zoomed).
    func drawList<Item: ListItem>(_ list: ListState<Item>, state: ConsoleState, layout: Layout, columns: [Column], empty: String,
                                  cells: (Item) -> [TableCell], detail: (Item) -> [StyledLine], into grid: inout CellGrid) {
        let panes = layout.panes(zoomed: state.detailZoomed)
        if let rect = panes.list {
            Table(columns: columns, glyphs: glyphs).draw(list, in: rect, grid: &grid, empty: empty, marked: list.marked(at: state.now),
                                                         cells: cells)
        }
        guard let rect = panes.detail else { return }
        if panes.list != nil { drawSeparator(around: rect, layout: layout, into: &grid) }
        var lines = state.runbookVisible && state.selectedSOPName != nil ? runbookLines(state)
            : list.selected.map(detail) ?? [StyledLine("nothing selected", .muted)]
        if let id = list.selected?.listID, let names = state.watchers[id], !names.isEmpty {
            lines.insert(.field("Watching", "\(names.joined(separator: ", ")) \(names.count == 1 ? "is" : "are") viewing \(id.prefix(8)) too",
                                .notice), at: 0)
        }
        drawLines(lines, in: rect, scroll: state.detailScroll, into: &grid)
    }

    private func drawSeparator(around rect: Rect, layout: Layout, into grid: inout CellGrid) {
        let body = layout.body
        if rect.x > body.x {
            for y in rect.y..<(rect.y + rect.height) { grid.write(glyphs.vertical, x: rect.x - 1, y: y, role: .border) }
        } else {
            grid.fill(x: body.x, y: rect.y - 1, count: body.width, role: .border, with: glyphs.horizontal)
            grid.write(" detail ", x: body.x + 2, y: rect.y - 1, role: .muted)
        }
    }

    /// Draws styled lines into `rect`, wrapped to its width, from line `scroll` on.
    func drawLines(_ lines: [StyledLine], in rect: Rect, scroll: Int, into grid: inout CellGrid) {
        let width = rect.width - 1
        let wrapped = lines.flatMap { $0.wrapped(to: width) }
        let start = min(max(0, scroll), max(0, wrapped.count - rect.height))
        for (offset, line) in wrapped.dropFirst(start).prefix(rect.height).enumerated() {
            var x = rect.x + 1
            for segment in line.segments {
                x += grid.write(glyphs.clean(segment.text), x: x, y: rect.y + offset, role: segment.role, limit: rect.x + rect.width - x)
            }
        }
        if wrapped.count > start + rect.height, rect.height > 0 {
            let more = " \(glyphs.arrow) J for more "
            grid.write(more, x: rect.x + rect.width - TextWidth.of(more), y: rect.y + rect.height - 1, role: .muted)
        }
    }

    /// The severity role of an alert's severity text.
    func severityRole(_ text: String?) -> ThemeRole {
        ThemeRole.severity(text.flatMap(Severity.normalized) ?? .info)
    }

    /// The pipeline role of an execution status text.
    func statusRole(_ text: String?) -> ThemeRole {
        text.flatMap(ExecutionStatus.init(rawValue:)).map(ThemeRole.pipeline) ?? .body
    }

    /// A risk level's role: critical and high risks look like severe alerts.
    func riskRole(_ risk: String?) -> ThemeRole {
        switch risk {
        case "critical": return .severityCritical
        case "high": return .severityHigh
        case "medium": return .severityMedium
        default: return .severityLow
        }
    }

    /// `CRIT`, `HIGH`, `MED`, `LOW`, `INFO`.
    func severityLabel(_ text: String) -> String {
        switch Severity.normalized(text) {
        case .critical: return "CRIT"
        case .high: return "HIGH"
        case .medium: return "MED"
        case .low: return "LOW"
        default: return "INFO"
        }
    }
}

extension ScreenRenderer {
    /// The selected SOP's runbook: its Markdown, headings marked, as written.
    func runbookLines(_ state: ConsoleState) -> [StyledLine] {
        guard let runbook = state.runbook, runbook.sopName == state.selectedSOPName else {
            return [StyledLine("loading the runbook of \(state.selectedSOPName ?? "?")…", .muted)]
        }
        var lines = [StyledLine([("Runbook  ", .title), ("\(runbook.sopName) v\(runbook.version)", .header), ("  r hides it", .keyHint)])]
        lines += runbook.text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("#") ? StyledLine(String(line), .header) : StyledLine(String(line))
        }
        return lines
    }
}
