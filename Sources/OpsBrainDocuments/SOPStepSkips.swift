import OpsBrainCore

/// Marks the diagnosis steps this deployment skips (`sop_parameters.skip_steps`).
///
/// Only a step that declares `if_skipped` can be skipped; a step the SOP does not have, or one
/// without `if_skipped`, is an error at the config's line, and the SOP does not load.
enum SOPStepSkips {
    static func apply(_ settings: SOPParameterSettings, to definition: inout SOPDefinition, issues: IssueCollector) {
        guard let skips = settings.skipSteps[definition.name] else { return }
        for skip in skips.steps {
            guard let index = definition.diagnosis.firstIndex(where: { $0.id == skip.text }) else {
                issues.error(in: settings.file, skip.line, "key '\(skip.key)': SOP '\(definition.name)' has no diagnosis step '\(skip.text)' "
                             + "(its steps: \(definition.diagnosis.map(\.id).joined(separator: ", ")))")
                continue
            }
            guard definition.diagnosis[index].skipResult != nil else {
                issues.error(in: settings.file, skip.line, "key '\(skip.key)': step '\(skip.text)' of SOP '\(definition.name)' "
                             + "declares no 'if_skipped', so it cannot be skipped")
                continue
            }
            definition.diagnosis[index].skippedHere = true
        }
    }
}
