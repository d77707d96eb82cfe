import OpsBrainCore

/// Checks a config's `sop_parameters` against the whole catalogue: every SOP it names must
/// exist, and every default or target value must be declared by some SOP (a typo would otherwise
/// change nothing).
enum SOPParameterUsage {
    /// The config values that match no SOP or no declared parameter, as errors in the config file.
    static func unmatchedSettings(_ settings: SOPParameterSettings, sources: [SOPSource]) -> [DocumentIssue] {
        let declared = sources.compactMap(declarations)
        let names = Set(declared.map(\.sop))
        let parameters = declared.reduce(into: Set<String>()) { $0.formUnion($1.parameters) }
        var issues: [DocumentIssue] = []
        for (sop, values) in settings.sops.sorted(by: { $0.key < $1.key }) where !names.contains(sop) {
            issues.append(DocumentIssue(file: settings.file, line: values.line, level: .error,
                                        message: "key 'sop_parameters.sops.\(sop)': there is no SOP named '\(sop)'"))
        }
        let perSOP = settings.skipSteps.map { ("skip_steps", $0.key, $0.value.line) } + settings.limits.map { ("limits", $0.key, $0.value.line) }
        for (section, sop, line) in perSOP.sorted(by: { $0.2 < $1.2 }) where !names.contains(sop) {
            issues.append(DocumentIssue(file: settings.file, line: line, level: .error,
                                        message: "key 'sop_parameters.\(section).\(sop)': there is no SOP named '\(sop)'"))
        }
        let named = settings.defaults.map { ($0.key, $0.value) } + settings.targets.values.flatMap { $0.values.map { ($0.key, $0.value) } }
        for (name, value) in named.sorted(by: { $0.1.line < $1.1.line }) where !parameters.contains(name) {
            issues.append(DocumentIssue(file: settings.file, line: value.line, level: .error,
                                        message: "key '\(value.key)': no SOP declares a parameter '\(name)'"))
        }
        return issues
    }

    /// The SOP's name and the parameters it declares, read leniently: the file's own problems are
    /// reported when it is parsed, so a file with errors still counts here.
    private static func declarations(in source: SOPSource) -> (sop: String, parameters: Set<String>)? {
        let quiet = IssueCollector(file: source.path)
        guard let text = SOPParser.decode(source.bytes, issues: quiet),
              let (yaml, _, _) = SOPParser.splitFrontMatter(text, issues: quiet),
              let node = YAMLText.compose(yaml, lineOffset: 1, issues: quiet),
              let sop = node["name"]?.string
        else { return nil }
        let parameters = node["parameters"]?.mapping?.keys.compactMap(\.string) ?? []
        return (sop, Set(parameters))
    }
}
