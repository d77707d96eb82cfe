import OpsBrainCore

/// Checks of a step beyond its own fields: the values it yields, read-only SQL, and config
/// targets; shared by the SOP validator and the probe parser.
enum StepChecks {
    /// Problems with `step` itself: expectations on values its type never yields (unless
    /// `openValues`, for checks whose values are not known in advance) and SQL that is not one
    /// read-only SELECT.
    static func problems(_ step: StepSpec, openValues: Bool = false) -> [String] {
        var problems: [String] = []
        if !openValues, let yields = step.type.yields {
            for name in step.expect.keys.sorted() where !yields.contains(name) {
                problems.append("a \(step.type.rawValue) step yields no '\(name)' (it yields: " + yields.sorted().joined(separator: ", ") + ")")
            }
        }
        if step.type == .sql, let query = step.parameters["query"]?.stringValue, let problem = ReadOnlySQL.problem(in: query) {
            problems.append(problem)
        }
        return problems
    }

    /// Why `name` cannot be the target of a parameter in `specs`, or nil when it can.
    static func targetProblem(_ name: String, specs: [ParameterSpec], targets: [String: TargetDefinition]) -> String? {
        let allowed = specs.flatMap { spec -> [TargetKind] in
            if case .target(let kinds) = spec.kind { return kinds }
            return []
        }
        guard let target = targets[name] else { return "target '\(name)' is not defined in the config" }
        if !allowed.isEmpty, !allowed.contains(target.kind) {
            return "target '\(name)' is a \(target.kind.rawValue) target; expected " + allowed.map(\.rawValue).joined(separator: " or ")
        }
        return nil
    }
}
