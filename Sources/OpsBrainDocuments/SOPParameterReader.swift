import OpsBrainCore

/// Reads an SOP's `parameters:` declarations and binds this deployment's values to them (the
/// defaults, the values of the targets it names, its own).
///
/// A default must be of its declared kind (reported in the SOP file); so must every config value,
/// and a config value for a parameter the SOP does not declare is an error (both reported in the
/// config file, at the value's line).
struct SOPParameterReader {
    let issues: IssueCollector
    let settings: SOPParameterSettings

    static let declarationKeys: Set<String> = ["kind", "default", "description"]

    /// The declared parameters by name, with their values here, and the line of each declaration.
    func read(_ field: YAMLField?, sop: String?, targets: Set<String>) -> (parameters: [String: SOPParameter], lines: [String: Int]) {
        guard let declarations = field?.mapping() else { return ([:], [:]) }
        var parameters: [String: SOPParameter] = [:]
        var lines: [String: Int] = [:]
        for (name, declaration) in declarations {
            lines["parameters.\(name)"] = declaration.line
            if let parameter = self.declaration(name, declaration) { parameters[name] = parameter }
        }
        guard let sop else { return (parameters, lines) }
        return (bind(parameters, sop: sop, targets: targets, declared: Set(declarations.keys)), lines)
    }

    private func declaration(_ name: String, _ field: YAMLField) -> SOPParameter? {
        guard name.range(of: "^[a-z][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
            issues.error(field.line, "key '\(field.path)': a parameter name starts with a-z and holds only a-z, 0-9 and '_'")
            return nil
        }
        guard name != SOPParameter.instancePlaceholder else {
            issues.error(field.line, "key '\(field.path)': 'instance' is reserved: {{instance}} is the alert's instance, filled in when a metric step runs")
            return nil
        }
        guard let parts = field.mapping(allowed: Self.declarationKeys) else { return nil }
        for key in Self.declarationKeys.sorted() where parts[key] == nil {
            issues.error(field.line, "key '\(field.path)': a parameter needs '\(key)'")
        }
        guard let kind = parts["kind"]?.choice(SOPParameterKind.self), let defaultField = parts["default"],
              let defaultValue = defaultField.string(), let description = parts["description"]?.string()
        else { return nil }
        if let problem = kind.problem(with: defaultValue) {
            issues.error(defaultField.line, "key '\(defaultField.path)': '\(defaultValue)': \(problem)")
        }
        return SOPParameter(name: name, kind: kind, defaultValue: defaultValue, description: description)
    }

    /// Applies the config's values for `sop`, each checked against its parameter's kind.
    private func bind(_ parameters: [String: SOPParameter], sop: String, targets: Set<String>, declared: Set<String>) -> [String: SOPParameter] {
        let (values, undeclared, conflicts) = settings.values(for: sop, naming: targets, declares: declared)
        for value in conflicts {
            issues.error(in: settings.file, value.line, "key '\(value.key)': SOP '\(sop)' names two targets that set this "
                         + "parameter differently; set it for the SOP under sop_parameters.sops.\(sop)")
        }
        for (name, value) in undeclared.sorted(by: { $0.key < $1.key }) {
            let known = declared.isEmpty ? "it declares none" : "it declares: " + declared.sorted().joined(separator: ", ")
            issues.error(in: settings.file, value.line, "key '\(value.key)': SOP '\(sop)' has no parameter '\(name)' (\(known))")
        }
        var bound = parameters
        for (name, value) in values {
            guard var parameter = bound[name] else { continue }
            if let problem = parameter.kind.problem(with: value.text) {
                issues.error(in: settings.file, value.line, "key '\(value.key)': '\(value.text)' for SOP '\(sop)' "
                             + "(kind \(parameter.kind.rawValue)): \(problem)")
                continue
            }
            parameter.value = value.text
            bound[name] = parameter
        }
        return bound
    }
}
