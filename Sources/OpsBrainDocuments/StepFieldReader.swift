import Foundation
import OpsBrainCore

/// Reads check steps (`type`, its parameters, `timeout`, `expect`) from YAML, reporting every
/// mistake with its line; shared by SOP diagnosis/verification steps and probe checks.
struct StepFieldReader {
    let issues: IssueCollector

    static let stepKeys: Set<String> = ["id", "name", "type", "timeout", "expect"]

    /// A step from a mapping. With `fixedID`, the step has no `id` or `name` key of its own (a
    /// probe's check); `extraKeys` are allowed and returned for the caller to read.
    func step(_ field: YAMLField, fixedID: String? = nil, extraKeys: Set<String> = []) -> (step: StepSpec, extra: [String: YAMLField])? {
        guard case .mapping = field.node, let raw = field.mapping() else { _ = field.mapping(); return nil }
        guard let typeField = raw["type"] else {
            issues.error(field.line, "key '\(field.path)': step needs a 'type'")
            return nil
        }
        guard let typeName = typeField.string() else { return nil }
        guard let type = StepType(rawValue: typeName) else {
            issues.error(typeField.line, "key '\(typeField.path)': unknown step type '\(typeName)' (known: "
                         + StepType.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            return nil
        }
        let ownKeys = fixedID == nil ? Self.stepKeys : Self.stepKeys.subtracting(["id", "name"])
        let allowed = ownKeys.union(type.parameters.map(\.name)).union(extraKeys)
        guard let parts = field.mapping(allowed: allowed) else { return nil }
        guard let id = fixedID ?? identifier(parts["id"], owner: field) else { return nil }
        let parameters = parameters(parts, specs: type.parameters, owner: field)
        let expect = parts["expect"].map(expectations) ?? [:]
        if type == .command, parameters["argv"] == nil, parameters["target"] == nil {
            issues.error(field.line, "key '\(field.path)': a command step needs 'argv' or 'target'")
        }
        let step = StepSpec(id: id, name: parts["name"]?.string() ?? id, type: type,
                            timeout: parts["timeout"]?.duration(max: .seconds(300)) ?? .seconds(10),
                            expect: expect, parameters: parameters)
        return (step, parts.filter { extraKeys.contains($0.key) })
    }

    /// A step or fix id: a-z first, then a-z, 0-9 and '_'.
    func identifier(_ field: YAMLField?, owner: YAMLField) -> String? {
        guard let field else {
            issues.error(owner.line, "key '\(owner.path)': needs an 'id'")
            return nil
        }
        guard let id = field.string() else { return nil }
        guard id.range(of: "^[a-z][a-z0-9_]*$", options: .regularExpression) != nil else {
            issues.error(field.line, "key '\(field.path)': '\(id)' must start with a-z and hold only a-z, 0-9 and '_'")
            return nil
        }
        return id
    }

    /// Validates each declared parameter and reports missing required ones.
    func parameters(_ parts: [String: YAMLField], specs: [ParameterSpec], owner: YAMLField) -> [String: JSONValue] {
        var values: [String: JSONValue] = [:]
        for spec in specs {
            guard let field = parts[spec.name] else {
                if spec.required { issues.error(owner.line, "key '\(owner.path)': missing parameter '\(spec.name)'") }
                continue
            }
            let value = field.json()
            if let problem = spec.problem(with: value) {
                issues.error(field.line, "key '\(field.path)': \(problem)")
                continue
            }
            values[spec.name] = value
        }
        return values
    }

    /// `expect`: per value, a literal (equality) or a mapping of comparison operators.
    func expectations(_ field: YAMLField) -> [String: Expectation] {
        guard let entries = field.mapping() else { return [:] }
        var expectations: [String: Expectation] = [:]
        for (valueName, entry) in entries {
            if case .mapping = entry.node, let operators = entry.mapping(allowed: Comparison.operatorNames) {
                let comparisons = operators.compactMap { comparison($0.key, $0.value) }
                expectations[valueName] = Expectation(comparisons)
            } else {
                expectations[valueName] = Expectation([.eq(entry.json())])
            }
        }
        return expectations
    }

    private func comparison(_ name: String, _ field: YAMLField) -> Comparison? {
        let value = field.json()
        func number() -> Double? {
            guard let number = value.doubleValue, value.stringValue == nil else {
                issues.error(field.line, "key '\(field.path)': expected a number")
                return nil
            }
            return number
        }
        switch name {
        case "eq": return .eq(value)
        case "ne": return .ne(value)
        case "lt": return number().map(Comparison.lt)
        case "lte": return number().map(Comparison.lte)
        case "gt": return number().map(Comparison.gt)
        case "gte": return number().map(Comparison.gte)
        case "contains": return field.string().map(Comparison.contains)
        case "matches":
            guard let pattern = field.string() else { return nil }
            guard Self.compiles(pattern) else {
                issues.error(field.line, "key '\(field.path)': '\(pattern)' is not a valid regular expression")
                return nil
            }
            return .matches(pattern)
        default:
            guard let items = value.arrayValue else { issues.error(field.line, "key '\(field.path)': expected a list"); return nil }
            return .oneOf(items)
        }
    }

    static func compiles(_ pattern: String) -> Bool {
        (try? NSRegularExpression(pattern: pattern)) != nil
    }
}
