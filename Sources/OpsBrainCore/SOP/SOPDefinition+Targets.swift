extension SOPDefinition {
    /// Every config target the SOP needs here: its steps' targets (but a skipped step's) and its fixes' target parameters.
    public var targetNames: Set<String> {
        var names = Set((diagnosis + verification.steps).filter { !$0.skippedHere }.compactMap(\.target))
        for fix in fix {
            for spec in fix.operation.descriptor.parameters {
                if case .target = spec.kind, let name = fix.parameters[spec.name]?.stringValue { names.insert(name) }
            }
        }
        return names
    }

    /// The targets the SOP names that `targets` does not define, sorted; empty when it is set up here.
    ///
    /// An SOP with missing targets is *not set up here*: it is loaded and listed with what it needs,
    /// and an alert it matches is escalated saying so, never diagnosed against targets that do not exist.
    public func missingTargets(in targets: [String: TargetDefinition]) -> [String] {
        targetNames.filter { targets[$0] == nil }.sorted()
    }
}
