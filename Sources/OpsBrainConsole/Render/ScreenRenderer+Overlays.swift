import Foundation
import OpsBrainCore

extension ScreenRenderer {
    /// The `?` screen: every key binding, dangerous ones marked, then the keys of prompts and dialogs.
    func drawHelp(_ state: ConsoleState, into grid: inout CellGrid) {
        let rect = Rect(x: 2, y: 2, width: state.width - 4, height: state.height - 3)
        drawFrame(title: "Keys (any key closes; j/k scroll)", filter: nil, rect: rect, into: &grid, role: .border, fill: .dialogBody)
        let lines = helpLines(state.keyMap)
        let inner = Rect(x: rect.x + 1, y: rect.y + 1, width: rect.width - 2, height: rect.height - 2)
        let start = min(max(0, state.helpScroll), max(0, lines.count - inner.height))
        for (offset, line) in lines.dropFirst(start).prefix(inner.height).enumerated() {
            var x = inner.x + 1
            for segment in line.segments {
                x += grid.write(glyphs.clean(segment.text), x: x, y: inner.y + offset, role: segment.role, limit: inner.x + inner.width - x)
            }
        }
    }

    /// The help screen's lines.
    func helpLines(_ keyMap: KeyMap) -> [StyledLine] {
        var lines: [StyledLine] = []
        for binding in keyMap.bindings {
            let scope = binding.views.isEmpty ? "" : " [" + ViewID.allCases.filter(binding.views.contains).map(\.title).joined(separator: ", ") + "]"
            lines.append(StyledLine([(binding.dangerous ? "! " : "  ", binding.dangerous ? .dialogDanger : .dialogBody),
                                     (TextWidth.fit(binding.label, to: 14, ellipsis: glyphs.ellipsis), .keyHint),
                                     (binding.help, binding.dangerous ? .error : .dialogBody), (scope, .muted)]))
        }
        lines += [
            .blank,
            StyledLine("! marks actions that change production: they ask first (Cancel is focused), confirm with y,", .dialogBody),
            StyledLine("  re-show their target, and are refused in a --readonly console.", .dialogBody),
            StyledLine("Dialogs: y confirm · Tab switch button · Enter press the focused button · n or Esc cancel", .dialogBody),
            StyledLine("Prompts (/ : reason): Enter apply · Esc cancel · Backspace delete · Up/Down command history", .dialogBody),
            StyledLine("Filters are PostgreSQL regular expressions, case-insensitive; /!regex keeps what does not match.", .dialogBody),
            StyledLine("Commands: :alerts :runs :approvals :sops :audit [kind=K actor=A sop=S exec=ID since=6h] :dryrun", .dialogBody),
            StyledLine("          :theme NAME · :pause · :resume · :help · :q", .dialogBody),
        ]
        return lines
    }

    /// The confirmation dialog of a dangerous action, showing the target captured at key-press.
    func drawDialog(_ dialog: ConfirmDialog, state: ConsoleState, into grid: inout CellGrid) {
        let lines = dialogLines(dialog)
        let width = min(state.width - 4, max(50, min(90, (lines.map { TextWidth.of($0.segments.map(\.text).joined()) }.max() ?? 40) + 6)))
        let height = min(state.height - 2, lines.count + 5)
        let rect = Rect(x: (state.width - width) / 2, y: max(1, (state.height - height) / 2), width: width, height: height)
        drawFrame(title: "\(dialog.verb) this fix?", filter: nil, rect: rect, into: &grid, role: .dialogDanger, fill: .dialogBody)
        let inner = Rect(x: rect.x + 1, y: rect.y + 1, width: rect.width - 2, height: rect.height - 4)
        for (offset, line) in lines.prefix(inner.height).enumerated() {
            var x = inner.x + 1
            for segment in line.segments {
                x += grid.write(glyphs.clean(segment.text), x: x, y: inner.y + offset, role: segment.role, limit: inner.x + inner.width - x)
            }
        }
        let buttonsY = rect.y + rect.height - 3
        let cancel = "[ Cancel ]"
        let confirm = "[ \(dialog.verb) ]"
        var x = rect.x + 3
        x += grid.write(cancel, x: x, y: buttonsY, role: dialog.focus == .cancel ? .dialogButtonFocus : .dialogButton) + 3
        grid.write(confirm, x: x, y: buttonsY, role: dialog.focus == .confirm ? .dialogDanger : .dialogButton)
        let help = dialog.typedPrompt.map { "\($0) then Enter · Esc cancel" }
            ?? "y \(dialog.verb.lowercased()) · Tab switch · Enter press · Esc cancel"
        grid.write(help, x: rect.x + 3, y: buttonsY + 1, role: .muted, limit: rect.width - 4)
    }

    private func dialogLines(_ dialog: ConfirmDialog) -> [StyledLine] {
        let target = dialog.target
        var lines: [StyledLine] = [
            .field("Execution", target.executionID.uuidString.lowercased(), .dialogBody),
            .field("SOP", target.sopName, .dialogBody),
            .field("Alert", target.alertTitle, .dialogBody),
            .field("Status", target.status.replacingOccurrences(of: "_", with: " "), statusRole(target.status)),
        ]
        if let risk = target.risk { lines.append(.field("Risk", risk, riskRole(risk))) }
        if let confidence = target.confidence { lines.append(.field("Confidence", String(confidence), .dialogBody)) }
        if case .reject(let reason) = dialog.kind { lines.append(.field("Reason", reason, .dialogBody)) }
        if !target.operations.isEmpty, dialog.kind == .approve {
            lines.append(StyledLine("Will run:", .header))
            lines += target.operations.prefix(6).map { StyledLine("  " + String($0.prefix(160)), .dialogBody) }
        }
        if dialog.kind == .rollback { lines.append(StyledLine("Undoes the fixes this execution applied.", .error)) }
        if dialog.kind == .approve, dialog.typedConfirmation != nil {
            lines.append(StyledLine("High risk\(target.risk == nil ? " (risk not known)" : ""): a typed confirmation is needed.", .error))
        }
        if let prompt = dialog.typedPrompt {
            lines.append(StyledLine([(prompt.prefix(1).uppercased() + prompt.dropFirst() + ": ", .header), (dialog.typed + "_", .dialogBody)]))
        }
        return lines
    }
}
