extension ConsoleController {
    /// Keys of the dry-run form.
    func handleForm(_ action: ConsoleAction, state: inout ConsoleState) -> [ConsoleEffect] {
        let field = state.dryRun.focus
        switch action {
        case .nextField: moveFocus(by: 1, form: &state.dryRun)
        case .previousField: moveFocus(by: -1, form: &state.dryRun)
        case .cycleForward: state.dryRun.cycle(field, by: 1)
        case .cycleBackward: state.dryRun.cycle(field, by: -1)
        case .editField:
            if field == .run { return startDryRun(&state) }
            if field.isText { state.prompt = .field(text: state.dryRun.text(of: field)) } else { state.dryRun.cycle(field, by: 1) }
        case .runDryRun: return startDryRun(&state)
        default: break
        }
        if !state.dryRun.fields.contains(state.dryRun.focus) { state.dryRun.focus = .source }
        return []
    }

    /// Moves the form's focus to the next or previous shown field.
    func moveFocus(by step: Int, form: inout DryRunForm) {
        let fields = form.fields
        let index = fields.firstIndex(of: form.focus) ?? 0
        form.focus = fields[(index + step + fields.count) % fields.count]
    }

    private func startDryRun(_ state: inout ConsoleState) -> [ConsoleEffect] {
        if state.readOnly {
            state.message = ConsoleMessage("read-only console: dry runs record an execution, so they are disabled", isError: true)
            return []
        }
        guard !state.dryRun.running else {
            state.message = ConsoleMessage("a dry run is already running", isError: true)
            return []
        }
        switch state.dryRun.request() {
        case .failure(let message):
            state.message = message
            return []
        case .success(let request):
            state.dryRun.running = true
            state.dryRun.error = nil
            state.dryRun.result = nil
            return [.dryRun(request)]
        }
    }
}
