import Foundation

extension ConsoleController {
    /// `y`: copies the selected row's id, in full, to the clipboard through the terminal (OSC 52).
    func yank(_ state: inout ConsoleState) -> [ConsoleEffect] {
        guard let id = yankedID(state) else {
            state.message = ConsoleMessage("no alert or execution id on this row", isError: true)
            return []
        }
        let text = id.uuidString.lowercased()
        state.message = ConsoleMessage("copied \(text) (OSC 52: your terminal must allow clipboard writes)")
        return [.copyToClipboard(text)]
    }

    /// The id `y` copies: the alert's, the run's, the approval's execution, the audit row's execution (else its alert).
    private func yankedID(_ state: ConsoleState) -> UUID? {
        switch state.view {
        case .alerts: return state.selectedAlert?.id
        case .executions: return state.executions.selected?.id
        case .approvals: return state.approvals.selected?.executionID
        case .audit: return state.audit.selected.flatMap { $0.executionID ?? $0.alertID }
        case .incident: return state.incident.timeline?.primaryAlert?.id
        case .sops, .dryRun: return nil
        }
    }
}
