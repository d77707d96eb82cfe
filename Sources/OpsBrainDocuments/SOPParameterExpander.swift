import OpsBrainCore
import Yams

/// Substitutes `{{name}}` placeholders in an SOP's front matter with its parameters' values.
///
/// Works on the composed YAML, so a value can never change the document's structure, and every
/// problem keeps its line: an unknown name, a placeholder in a key that decides what runs (`id`,
/// `type`, `operation`, `target`, `class`...), or a kind that its place does not take (see
/// `SOPParameterKind.isAllowed(in:)`). A declared parameter that is never used is a warning.
struct SOPParameterExpander {
    let parameters: [String: SOPParameter]
    let issues: IssueCollector
    let lineOffset: Int
    private var used: Set<String> = []

    /// Top-level keys that say what the SOP is and how far it may act: never parameters.
    static let fixedTopKeys: Set<String> = ["name", "category", "agent", "severity", "risk", "auto_fix", "requires_approval",
                                            "max_executions_per_hour", "cooldown_minutes", "mode", "parameters"]
    /// Keys at any depth that choose what runs, against what, at what class: never parameters.
    static let fixedKeys: Set<String> = ["id", "type", "operation", "target", "statement", "class", "approval"]

    init(parameters: [String: SOPParameter], issues: IssueCollector, lineOffset: Int) {
        self.parameters = parameters
        self.issues = issues
        self.lineOffset = lineOffset
    }

    /// The front matter with every placeholder replaced; `declarationLines` places the unused warnings.
    mutating func expand(_ root: Node, declarationLines: [String: Int]) -> Node {
        guard case .mapping(let mapping) = root else { return root }
        let pairs = mapping.map { key, value -> (Node, Node) in
            let name = key.string ?? ""
            if name == "parameters" { return (key, value) }
            return (key, expand(value, key: name, use: Self.fixedTopKeys.contains(name) ? nil : .field))
        }
        for name in parameters.keys.sorted() where !used.contains(name) {
            issues.warning(declarationLines["parameters.\(name)"] ?? 1, "parameter '\(name)' is declared but never used")
        }
        return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))
    }

    /// `use` nil: the key may not take a parameter.
    private mutating func expand(_ node: Node, key: String, use: SOPParameterUse?) -> Node {
        switch node {
        case .scalar(let scalar):
            return .scalar(substitute(scalar, key: key, use: use))
        case .sequence(let sequence):
            return .sequence(Node.Sequence(sequence.map { expand($0, key: key, use: use) }, sequence.tag, sequence.style, sequence.mark))
        case .mapping(let mapping):
            let stepType = mapping["type"]?.string
            let pairs = mapping.map { childKey, value -> (Node, Node) in
                let name = childKey.string ?? ""
                return (childKey, expand(value, key: name, use: use.flatMap { _ in Self.use(of: name, stepType: stepType) }))
            }
            return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))
        case .alias:
            return node
        }
    }

    /// What a placeholder under `key` of a mapping whose `type` is `stepType` stands in.
    private static func use(of key: String, stepType: String?) -> SOPParameterUse? {
        if fixedKeys.contains(key) { return nil }
        switch (key, stepType) {
        case ("query", StepType.sql.rawValue): return .sqlQuery
        case ("query", StepType.metric.rawValue): return .promQL
        case ("when", _): return .condition
        default: return .field
        }
    }

    private mutating func substitute(_ scalar: Node.Scalar, key: String, use: SOPParameterUse?) -> Node.Scalar {
        let text = scalar.string
        guard text.contains("{{") else { return scalar }
        let line = (scalar.mark?.line ?? 1) + lineOffset
        guard let use else {
            issues.error(line, "key '\(key)' cannot take a parameter: it decides what runs")
            return scalar
        }
        var result = ""
        var rest = Substring(text)
        var substituted: [SOPParameter] = []
        while let open = rest.range(of: "{{") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                issues.error(line, "key '\(key)': '{{' without a closing '}}'")
                return scalar
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if name == SOPParameter.instancePlaceholder {
                guard checkInstance(key: key, use: use, before: result, line: line) else { return scalar }
                result += "{{\(name)}}"
                rest = rest[close.upperBound...]
                continue
            }
            guard let parameter = check(name, key: key, use: use, before: result, line: line) else { return scalar }
            result += parameter.value
            substituted.append(parameter)
            rest = rest[close.upperBound...]
        }
        result += rest
        let wholeNumber = substituted.count == 1 && substituted[0].kind == .number && result == substituted[0].value
        return Node.Scalar(result, .implicit, wholeNumber ? .plain : scalar.style, scalar.mark)
    }

    /// `{{instance}}` is left for the metric runner (the execution's instance, as a regex): it stands
    /// only in a metric step's query, inside double quotes (`instance=~"{{instance}}"`).
    private func checkInstance(key: String, use: SOPParameterUse, before: String, line: Int) -> Bool {
        guard use == .promQL else {
            issues.error(line, "key '\(key)': {{instance}} stands only in a metric step's query (the alert's instance, filled in when the step runs)")
            return false
        }
        guard before.filter({ $0 == "\"" }).count % 2 == 1 else {
            issues.error(line, "key '\(key)': {{instance}} must stand inside double quotes (instance=~\"{{instance}}\")")
            return false
        }
        return true
    }

    /// The parameter `name` when it is declared and may stand here; reports why not otherwise.
    private mutating func check(_ name: String, key: String, use: SOPParameterUse, before: String, line: Int) -> SOPParameter? {
        guard let parameter = parameters[name] else {
            let declared = parameters.isEmpty ? "the SOP declares none under 'parameters'"
                : "declared: " + parameters.keys.sorted().joined(separator: ", ")
            issues.error(line, "key '\(key)': unknown parameter '{{\(name)}}' (\(declared))")
            return nil
        }
        used.insert(name)
        guard parameter.kind.isAllowed(in: use) else {
            let allowed = SOPParameterKind.allCases.filter { $0.isAllowed(in: use) }.map(\.rawValue).joined(separator: ", ")
            issues.error(line, "key '\(key)': parameter '\(name)' is of kind \(parameter.kind.rawValue), which \(use.rawValue) "
                         + "cannot take (it takes: \(allowed))")
            return nil
        }
        if parameter.kind == .labelValue, use == .promQL, before.filter({ $0 == "\"" }).count % 2 == 0 {
            issues.error(line, "key '\(key)': label_value parameter '\(name)' must stand inside double quotes (job=\"{{\(name)}}\")")
            return nil
        }
        return parameter
    }
}
