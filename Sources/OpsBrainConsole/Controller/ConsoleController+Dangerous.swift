import Foundation
import OpsBrainCore
import OpsBrainPostgres

extension ConsoleController {
    /// Approve, reject and rollback: capture the target now, then ask (reject asks for a reason first).
    func startDangerous(_ action: ConsoleAction, state: inout ConsoleState) -> [ConsoleEffect] {
        guard let target = selectedTarget(state) else {
            state.message = ConsoleMessage("select an execution first", isError: true)
            return []
        }
        switch action {
        case .approve, .reject:
            guard target.status == ExecutionStatus.awaitingApproval.rawValue else {
                state.message = ConsoleMessage("\(target.shortID) is \(target.status.replacingOccurrences(of: "_", with: " ")), "
                                               + "not awaiting approval", isError: true)
                return []
            }
            if action == .approve { state.dialog = ConfirmDialog(kind: .approve, target: target) } else {
                state.prompt = .reason(text: "", target: target)
            }
        case .rollback:
            guard let status = ExecutionStatus(rawValue: target.status), ExecutionStatus.rollbackable.contains(status) else {
                state.message = ConsoleMessage("only finished executions roll back (\(target.shortID) is "
                                               + "\(target.status.replacingOccurrences(of: "_", with: " ")))", isError: true)
                return []
            }
            state.dialog = ConfirmDialog(kind: .rollback, target: target)
        default: break
        }
        return []
    }

    private func selectedTarget(_ state: ConsoleState) -> ActionTarget? {
        switch state.view {
        case .approvals: return state.approvals.selected.map(ActionTarget.init)
        case .executions: return state.executions.selected.map { ActionTarget($0, detail: state.executionDetail) }
        default: return nil
        }
    }

    /// Keys while a confirmation dialog is open: only `y` (or Enter on the confirm button, or the typed word) goes ahead.
    func handleDialog(_ key: Key, state: inout ConsoleState) -> [ConsoleEffect] {
        guard var dialog = state.dialog else { return [] }
        if key == .escape || key == .control("c") {
            state.dialog = nil
            state.message = ConsoleMessage("cancelled: nothing was changed")
            return []
        }
        if let prompt = dialog.typedPrompt {
            switch key {
            case .char(let character): dialog.typed.append(character)
            case .backspace: if !dialog.typed.isEmpty { dialog.typed.removeLast() }
            case .enter:
                guard dialog.isConfirmed(by: dialog.typed) else {
                    state.message = ConsoleMessage("\(prompt) exactly to confirm, or Esc to cancel", isError: true)
                    state.dialog = dialog
                    return []
                }
                return confirm(dialog, state: &state)
            default: break
            }
            state.dialog = dialog
            return []
        }
        switch key {
        case .char("y"), .char("Y"): return confirm(dialog, state: &state)
        case .char("n"), .char("N"), .char("q"):
            state.dialog = nil
            state.message = ConsoleMessage("cancelled: nothing was changed")
        case .tab, .backTab, .left, .right, .char("h"), .char("l"):
            dialog.focus = dialog.focus == .cancel ? .confirm : .cancel
            state.dialog = dialog
        case .enter:
            if dialog.focus == .confirm { return confirm(dialog, state: &state) }
            state.dialog = nil
            state.message = ConsoleMessage("cancelled: nothing was changed")
        default: break
        }
        return []
    }

    private func confirm(_ dialog: ConfirmDialog, state: inout ConsoleState) -> [ConsoleEffect] {
        state.dialog = nil
        switch dialog.kind {
        case .approve: return [.decide(dialog.target, approve: true, reason: nil)]
        case .reject(let reason): return [.decide(dialog.target, approve: false, reason: reason)]
        case .rollback: return [.rollback(dialog.target)]
        }
    }
}
