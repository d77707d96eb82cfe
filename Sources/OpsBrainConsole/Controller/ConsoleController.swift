import Foundation
import OpsBrainCore
import OpsBrainPostgres

/// Turns keys into state changes and effects: pure, so every key path is tested without a terminal or database.
public struct ConsoleController: Sendable {
    public init() {}

    /// Handles one key.
    public func handle(_ key: Key, state: inout ConsoleState) -> [ConsoleEffect] {
        if key == .resize { return resized(&state) }
        if state.tooSmall { return key == .char("q") || key == .control("c") ? [.quit] : [] }
        if case .mouse(let event) = key { return handleMouse(event, state: &state) }
        let messageShown = state.message != nil
        state.message = nil
        if state.dialog != nil { return handleDialog(key, state: &state) }
        if state.prompt != nil { return handlePrompt(key, state: &state) }
        if state.helpVisible { return handleHelp(key, state: &state) }
        if key == .escape, messageShown { return [] }
        if state.view == .dryRun, let effects = handleFormTyping(key, state: &state) { return effects }
        guard let binding = state.keyMap.binding(for: key, in: state.view) else { return [] }
        return perform(binding, state: &state)
    }

    private func resized(_ state: inout ConsoleState) -> [ConsoleEffect] {
        let rows = Layout(width: state.width, height: state.height).listRows(zoomed: state.detailZoomed)
        state.alerts.keepVisible(rows)
        state.alertGroups.keepVisible(rows)
        state.executions.keepVisible(rows)
        state.approvals.keepVisible(rows)
        state.sops.keepVisible(rows)
        state.audit.keepVisible(rows)
        return []
    }

    private func handleHelp(_ key: Key, state: inout ConsoleState) -> [ConsoleEffect] {
        switch key {
        case .char("j"), .down: state.helpScroll += 1
        case .char("k"), .up: state.helpScroll = max(0, state.helpScroll - 1)
        case .pageDown: state.helpScroll += 10
        case .pageUp: state.helpScroll = max(0, state.helpScroll - 10)
        default: state.helpVisible = false
        }
        return []
    }

    private func perform(_ binding: KeyBinding, state: inout ConsoleState) -> [ConsoleEffect] {
        if binding.writes, state.readOnly {
            state.message = ConsoleMessage("read-only console: \(binding.action.name) is disabled", isError: true)
            return []
        }
        switch binding.action {
        case .quit: return [.quit]
        case .help:
            state.helpVisible = true
            state.helpScroll = 0
            return []
        case .show(let view): return show(view, state: &state)
        case .back: return goBack(&state)
        case .clearOrBack: return clearOrBack(&state)
        case .command:
            state.prompt = .command(text: "", historyIndex: nil)
            return []
        case .filter:
            state.prompt = .filter(text: "")
            return []
        case .pause: return togglePause(&state)
        case .refresh: return [.reload(state.view)]
        case .redraw: return [.redraw]
        case .up, .down, .pageUp, .pageDown, .top, .bottom: return navigate(binding.action, state: &state)
        case .toggleDetail where state.view == .alerts && state.alertGrouping != .none: return openGroup(&state)
        case .toggleDetail:
            state.detailZoomed.toggle()
            state.detailScroll = 0
            return resized(&state)
        case .detailDown:
            state.detailScroll += 5
            return []
        case .detailUp:
            state.detailScroll = max(0, state.detailScroll - 5)
            return []
        case .approve, .reject, .rollback: return startDangerous(binding.action, state: &state)
        case .acknowledge, .snooze, .silence, .resolveByHand: return startAlertAction(binding.action, state: &state)
        case .cycleGrouping:
            state.alertGrouping = state.alertGrouping.next
            state.alertGroups.reset()
            resetList(.alerts, state: &state)
            return [.reload(.alerts)]
        case .cycleSort:
            state.alertSort = state.alertSort.next
            resetList(.alerts, state: &state)
            return [.reload(.alerts)]
        case .openIncident: return openIncident(&state)
        case .exportIncident:
            guard let timeline = state.incident.timeline else {
                state.message = ConsoleMessage("the timeline is not loaded yet", isError: true)
                return []
            }
            return [.exportIncident(timeline)]
        case .toggleRunbook:
            state.runbookVisible.toggle()
            state.detailScroll = 0
            return runbookEffects(&state)
        case .trail: return openTrail(&state)
        case .openExecution: return openExecution(&state)
        case .yank: return yank(&state)
        case .dryRunFromSelection: return dryRunFromSelection(&state)
        case .editField, .runDryRun, .nextField, .previousField, .cycleForward, .cycleBackward: return handleForm(binding.action, state: &state)
        }
    }

    /// Switches to `view` and asks for its data.
    func show(_ view: ViewID, state: inout ConsoleState) -> [ConsoleEffect] {
        if view != state.view { state.previousView = state.view }
        state.view = view
        state.detailZoomed = false
        state.detailScroll = 0
        return view == .dryRun ? [.loadSOPNames(matching: nil)] : [.reload(view)]
    }

    /// Esc: clears the filter, else leaves the full-screen detail, else goes back a view.
    private func clearOrBack(_ state: inout ConsoleState) -> [ConsoleEffect] {
        if state.filters[state.view] != nil {
            state.filters[state.view] = nil
            resetList(state.view, state: &state)
            return [.reload(state.view)]
        }
        if state.view == .audit, !state.auditFilter.isEmpty {
            state.auditFilter = AuditFilter()
            resetList(.audit, state: &state)
            return [.reload(.audit)]
        }
        if state.detailZoomed {
            state.detailZoomed = false
            return []
        }
        return goBack(&state)
    }

    /// Back to the previous view, whose filter is kept.
    private func goBack(_ state: inout ConsoleState) -> [ConsoleEffect] {
        state.previousView == state.view ? [] : show(state.previousView, state: &state)
    }

    /// Acknowledges the selected alert at once; a snooze, silence or hand resolve asks for its duration or reason first.
    private func startAlertAction(_ action: ConsoleAction, state: inout ConsoleState) -> [ConsoleEffect] {
        guard let alert = state.selectedAlert else {
            state.message = ConsoleMessage(state.alertGrouping == .none ? "select an alert first" : "open a group (Enter) to act on its alerts",
                                           isError: true)
            return []
        }
        let need: AlertActionPrompt.Need
        switch action {
        case .acknowledge: return [.alertAction(AlertActionRequest(alertID: alert.id, title: alert.title, kind: .acknowledge))]
        case .snooze: need = .snoozeDuration
        case .silence: need = .silenceDuration
        case .resolveByHand: need = .resolveReason
        default: return []
        }
        state.prompt = .alertAction(text: "", AlertActionPrompt(need: need, alertID: alert.id, title: alert.title))
        return []
    }

    /// Reads the selected row's runbook when the pane is open and holds another SOP's (once per SOP:
    /// the loop asks after every key and update, so a selection a reload moved is followed too).
    public func runbookEffects(_ state: inout ConsoleState) -> [ConsoleEffect] {
        guard state.runbookVisible, let name = state.selectedSOPName, state.runbook?.sopName != name,
              state.runbookAsked != name else { return [] }
        state.runbookAsked = name
        return [.loadRunbook(name)]
    }

    /// Pauses the live stream, or resumes it and reloads.
    func togglePause(_ state: inout ConsoleState) -> [ConsoleEffect] {
        state.paused.toggle()
        if state.paused { return [] }
        state.changesWhilePaused = 0
        return [.reload(state.view)]
    }

    /// Empties a view's list so that the next load starts at the newest rows.
    func resetList(_ view: ViewID, state: inout ConsoleState) {
        switch view {
        case .alerts: state.alerts.reset()
        case .executions: state.executions.reset(); state.executionDetail = nil
        case .approvals: state.approvals.reset()
        case .sops: state.sops.reset()
        case .audit: state.audit.reset()
        case .dryRun, .incident: break
        }
    }

    /// The execution of the selected row: an alert's latest, an approval's, an audit row's, or the run itself.
    private func selectedExecutionID(_ state: ConsoleState) -> UUID? {
        switch state.view {
        case .alerts: return state.selectedAlert?.executionID
        case .executions: return state.executions.selected?.id
        case .approvals: return state.approvals.selected?.executionID
        case .audit: return state.audit.selected?.executionID
        default: return nil
        }
    }

    /// Opens the selected group: an alert type as the alerts of that type, an SOP as its runs (anchored
    /// regexes on the field each list's filter text starts with: the type, or the run's status then SOP).
    private func openGroup(_ state: inout ConsoleState) -> [ConsoleEffect] {
        guard let group = state.alertGroups.selected else { return [] }
        let name = group.name == ConsoleAlertGroup.noSOP ? "" : NSRegularExpression.escapedPattern(for: group.name)
        let pattern = state.alertGrouping == .sop ? "^\\S+ \(name) " : "^\(name) "
        let grouping = state.alertGrouping
        state.alertGrouping = .none
        state.alertGroups.reset()
        guard grouping == .sop else {
            state.filters[.alerts] = ListFilter(pattern: pattern, inverted: false)
            resetList(.alerts, state: &state)
            return [.reload(.alerts)]
        }
        state.filters[.executions] = ListFilter(pattern: pattern, inverted: false)
        resetList(.executions, state: &state)
        return show(.executions, state: &state)
    }

    /// Opens the incident of the selected row: the alert's in Alerts, the run's elsewhere.
    private func openIncident(_ state: inout ConsoleState) -> [ConsoleEffect] {
        let subject: IncidentSubject?
        if state.view == .alerts {
            subject = state.selectedAlert.map { .alert($0.id) }
        } else {
            subject = selectedExecutionID(state).map { .execution($0) }
        }
        guard let subject else {
            state.message = ConsoleMessage("select an alert or a run first", isError: true)
            return []
        }
        state.incident = IncidentPane(subject: subject)
        return show(.incident, state: &state)
    }

    /// Shows the selected row's execution in Runs (filtered to its id; Esc clears the filter).
    private func openExecution(_ state: inout ConsoleState) -> [ConsoleEffect] {
        guard let id = selectedExecutionID(state) else {
            state.message = ConsoleMessage("no execution for this row", isError: true)
            return []
        }
        state.filters[.executions] = ListFilter(pattern: id.uuidString.lowercased())
        resetList(.executions, state: &state)
        return show(.executions, state: &state)
    }

    private func openTrail(_ state: inout ConsoleState) -> [ConsoleEffect] {
        guard let id = selectedExecutionID(state) else {
            state.message = ConsoleMessage("no execution selected", isError: true)
            return []
        }
        state.auditFilter = AuditFilter(executionPrefix: id.uuidString.lowercased())
        state.filters[.audit] = nil
        resetList(.audit, state: &state)
        return show(.audit, state: &state)
    }

    private func dryRunFromSelection(_ state: inout ConsoleState) -> [ConsoleEffect] {
        if state.view == .alerts, let alert = state.selectedAlert {
            state.dryRun.useExistingAlert = true
            state.dryRun.alertID = alert.id.uuidString.lowercased()
        } else if state.view == .sops, let sop = state.sops.selected {
            if let index = state.dryRun.sopNames.firstIndex(of: sop.name) { state.dryRun.sopIndex = index } else {
                state.dryRun.sopNames = [sop.name]
                state.dryRun.sopIndex = 0
            }
        }
        state.dryRun.focus = .run
        let effects = show(.dryRun, state: &state)
        guard state.previousView == .alerts, let alert = state.selectedAlert else { return effects }
        return [.loadSOPNames(matching: alert.id)]
    }
}
