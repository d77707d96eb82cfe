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
            state.dryRun.typeAhead = ""
            if field.isText { state.prompt = .field(text: state.dryRun.text(of: field)) } else { state.dryRun.cycle(field, by: 1) }
        case .runDryRun: return startDryRun(&state)
        default: break
        }
        if !state.dryRun.fields.contains(state.dryRun.focus) { state.dryRun.focus = .source }
        return []
    }

    /// Characters typed in the form go to the focused field, never to commands: they start an edit
    /// of a text field and search the choices of a choice field. On Run, `x` runs it and the other
    /// keys are the usual ones (`?`, `q`, the view numbers). Nil for the keys the key map handles.
    func handleFormTyping(_ key: Key, state: inout ConsoleState) -> [ConsoleEffect]? {
        let field = state.dryRun.focus
        switch key {
        case .char(let character):
            if field.isText {
                state.prompt = .field(text: state.dryRun.text(of: field) + String(character))
            } else if field == .run {
                return character == "x" ? startDryRun(&state) : nil
            } else if !state.dryRun.search(state.dryRun.typeAhead + String(character)) {
                state.message = ConsoleMessage("no \(field.label) starts with or contains '\(state.dryRun.typeAhead)\(character)'", isError: true)
            }
            return []
        case .backspace where !field.isText:
            state.dryRun.typeAhead = ""
            return []
        default: return nil
        }
    }

    /// Moves the form's focus to the next or previous shown field (ending a type-ahead search).
    func moveFocus(by step: Int, form: inout DryRunForm) {
        let fields = form.fields
        let index = fields.firstIndex(of: form.focus) ?? 0
        form.focus = fields[(index + step + fields.count) % fields.count]
        form.typeAhead = ""
    }

    func startDryRun(_ state: inout ConsoleState) -> [ConsoleEffect] {
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
