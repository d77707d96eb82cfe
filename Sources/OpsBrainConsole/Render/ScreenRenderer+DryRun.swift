import Foundation
import OpsBrainCore
import OpsBrainPostgres

extension ScreenRenderer {
    /// The dry-run view: the form, then the result card of the last run.
    func drawDryRun(_ state: ConsoleState, rect: Rect, into grid: inout CellGrid) {
        let form = state.dryRun
        var lines: [StyledLine] = [
            StyledLine("Pick an SOP and an alert; the diagnosis runs for real, the fixes are only planned.", .muted), .blank,
        ]
        for field in form.fields {
            let focused = field == form.focus
            if field == .run {
                lines.append(.blank)
                lines.append(StyledLine(form.running ? "  running the diagnosis…" : "  " + field.label,
                                        focused ? .dialogButtonFocus : (form.running ? .pipelineDiagnosing : .dialogButton)))
                continue
            }
            let value = field.isText ? (form.text(of: field).isEmpty ? "(empty)" : form.text(of: field)) : "< \(form.value(of: field)) >"
            lines.append(StyledLine([((focused ? glyphs.cursor : " ") + " ", .cursor),
                                     (TextWidth.fit(field.label, to: 10, ellipsis: ""), .header),
                                     (value, focused ? .cursor : (form.text(of: field).isEmpty && field.isText ? .muted : .body))]))
        }
        lines.append(.blank)
        if let error = form.error { lines.append(StyledLine("dry run failed: \(error)", .error)) }
        if let result = form.result {
            lines.append(StyledLine("Result (recorded as a dry run; nothing was changed)", .header))
            lines += executionCard(result, now: state.now)
        }
        drawLines(lines, in: rect, scroll: state.detailScroll, into: &grid)
    }
}
