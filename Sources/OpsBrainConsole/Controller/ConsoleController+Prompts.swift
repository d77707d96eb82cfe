import Foundation
import OpsBrainCore
import OpsBrainPostgres

extension ConsoleController {
    /// Keys while a prompt is open at the bottom line.
    func handlePrompt(_ key: Key, state: inout ConsoleState) -> [ConsoleEffect] {
        guard let prompt = state.prompt else { return [] }
        var text = promptText(prompt)
        switch key {
        case .escape, .control("c"):
            state.prompt = nil
            return []
        case .enter:
            state.prompt = nil
            return submit(prompt, text: text, state: &state)
        case .backspace, .delete:
            if text.isEmpty {
                if case .reason = prompt {} else { state.prompt = nil }
                return []
            }
            text.removeLast()
        case .control("u"): text = ""
        case .control("w"): text = Self.droppingLastWord(text)
        case .up, .down:
            if case .command(_, let index) = prompt { state.prompt = recall(key == .up ? -1 : 1, from: index, history: state.commandHistory) }
            return []
        case .char(let character):
            guard text.count < 500 else { return [] }
            text.append(character)
        default: return []
        }
        state.prompt = replacingText(prompt, with: text)
        return []
    }

    /// The text without its last word (Ctrl-W), the space before it kept.
    static func droppingLastWord(_ text: String) -> String {
        var words = text
        while words.last == " " { words.removeLast() }
        while let last = words.last, last != " " { words.removeLast() }
        return words
    }

    private func promptText(_ prompt: Prompt) -> String {
        switch prompt {
        case .filter(let text), .command(let text, _), .reason(let text, _), .field(let text), .alertAction(let text, _): return text
        }
    }

    private func replacingText(_ prompt: Prompt, with text: String) -> Prompt {
        switch prompt {
        case .filter: return .filter(text: text)
        case .command(_, let index): return .command(text: text, historyIndex: index)
        case .reason(_, let target): return .reason(text: text, target: target)
        case .field: return .field(text: text)
        case .alertAction(_, let asked): return .alertAction(text: text, asked)
        }
    }

    private func recall(_ step: Int, from index: Int?, history: [String]) -> Prompt {
        guard !history.isEmpty else { return .command(text: "", historyIndex: nil) }
        let next = min(max(0, (index ?? history.count) + step), history.count)
        return next == history.count ? .command(text: "", historyIndex: nil) : .command(text: history[next], historyIndex: next)
    }

    private func submit(_ prompt: Prompt, text: String, state: inout ConsoleState) -> [ConsoleEffect] {
        switch prompt {
        case .filter: return applyFilter(text, state: &state)
        case .command:
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty, state.commandHistory.last != trimmed { state.commandHistory = Array((state.commandHistory + [trimmed]).suffix(50)) }
            return runCommand(trimmed, state: &state)
        case .reason(_, let target):
            let reason = text.trimmingCharacters(in: .whitespaces)
            guard !reason.isEmpty else {
                state.message = ConsoleMessage("a rejection needs a reason; nothing was changed", isError: true)
                return []
            }
            state.dialog = ConfirmDialog(kind: .reject(reason: reason), target: target)
            return []
        case .field:
            state.dryRun.setText(text, of: state.dryRun.focus)
            moveFocus(by: 1, form: &state.dryRun)
            return []
        case .alertAction(_, let asked):
            switch asked.request(text) {
            case .success(let request): return [.alertAction(request)]
            case .failure(let message):
                state.message = message
                return []
            }
        }
    }

    /// `/regex` filters the current view; `/!regex` keeps what does not match; an empty filter clears it.
    func applyFilter(_ text: String, state: inout ConsoleState) -> [ConsoleEffect] {
        let inverted = text.hasPrefix("!")
        let pattern = inverted ? String(text.dropFirst()) : text
        state.filters[state.view] = pattern.isEmpty ? nil : ListFilter(pattern: pattern, inverted: inverted)
        resetList(state.view, state: &state)
        return [.reload(state.view)]
    }

    /// `:` commands: views, `audit` with field filters, `theme`, `pause`, `resume`, `help`, `q`.
    func runCommand(_ text: String, state: inout ConsoleState) -> [ConsoleEffect] {
        let words = text.split(separator: " ").map(String.init)
        guard let name = words.first?.lowercased() else { return [] }
        if ["q", "q!", "quit", "exit"].contains(name) { return [.quit] }
        if ["help", "h", "?"].contains(name) { state.helpVisible = true; state.helpScroll = 0; return [] }
        if name == "pause" || name == "resume" {
            return state.paused == (name == "pause") ? [] : togglePause(&state)
        }
        if name == "theme" {
            guard words.count == 2 else { state.message = ConsoleMessage("usage: :theme NAME (dark, light, high-contrast, mono)", isError: true); return [] }
            return [.setTheme(words[1])]
        }
        guard let view = ViewID.allCases.first(where: { $0.commands.contains(name) || String($0.number) == name }) else {
            state.message = ConsoleMessage("unknown command '\(name)' (? lists every key and command)", isError: true)
            return []
        }
        if view == .audit, words.count > 1 {
            guard let filter = auditFilter(words.dropFirst(), state: &state) else { return [] }
            state.auditFilter = filter
            resetList(.audit, state: &state)
        }
        return show(view, state: &state)
    }

    private func auditFilter(_ words: ArraySlice<String>, state: inout ConsoleState) -> AuditFilter? {
        var filter = AuditFilter()
        for word in words {
            let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else {
                state.message = ConsoleMessage("':audit \(word)': use kind=K actor=A sop=S exec=ID since=1h", isError: true)
                return nil
            }
            switch parts[0] {
            case "kind": filter.kind = parts[1]
            case "actor": filter.actor = parts[1]
            case "sop": filter.sopName = parts[1]
            case "exec", "execution":
                let prefix = parts[1].lowercased()
                guard prefix.count >= 4, prefix.count <= 36, prefix.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
                    state.message = ConsoleMessage("exec= needs an execution id or its first characters (as lists show them)", isError: true)
                    return nil
                }
                filter.executionPrefix = prefix
            case "since":
                guard let window = DurationSyntax.parse(parts[1]), window.components.seconds > 0 else {
                    state.message = ConsoleMessage("since= needs a duration like 30m, 6h or 2d", isError: true)
                    return nil
                }
                filter.sinceSeconds = Int(window.components.seconds)
            default:
                state.message = ConsoleMessage("':audit \(parts[0])=': use kind, actor, sop, exec or since", isError: true)
                return nil
            }
        }
        return filter
    }
}
