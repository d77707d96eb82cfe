import Foundation
import OpsBrainCore
import Yams

/// A YAML node with its dotted key path and line, read with every mistake reported to a collector.
struct YAMLField {
    let node: Node
    let path: String
    let lineOffset: Int
    let issues: IssueCollector

    var line: Int { (node.mark?.line ?? 1) + lineOffset }

    private func complain(_ expected: String) {
        issues.error(line, "key '\(path)': expected \(expected), got \(YAMLField.describe(node))")
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return "'\(scalar.string.prefix(60))'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    func child(_ node: Node, key: String) -> YAMLField {
        YAMLField(node: node, path: path.isEmpty ? key : "\(path).\(key)", lineOffset: lineOffset, issues: issues)
    }

    /// The mapping's fields; unknown keys are reported as errors.
    func mapping(allowed: Set<String>? = nil) -> [String: YAMLField]? {
        guard case .mapping(let mapping) = node else { complain("a mapping"); return nil }
        var fields: [String: YAMLField] = [:]
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let key) = keyNode else { complain("string keys"); continue }
            let field = child(valueNode, key: key.string)
            if let allowed, !allowed.contains(key.string) {
                let known = allowed.sorted().joined(separator: ", ")
                issues.error(field.keyLine(keyNode), "unknown key '\(field.path)' (known: \(known))")
                continue
            }
            fields[key.string] = field
        }
        return fields
    }

    private func keyLine(_ keyNode: Node) -> Int { (keyNode.mark?.line ?? 1) + lineOffset }

    func sequence() -> [YAMLField]? {
        guard case .sequence(let items) = node else { complain("a list"); return nil }
        return items.enumerated().map { child($0.element, key: String($0.offset)).renamed("\(path)[\($0.offset)]") }
    }

    private func renamed(_ newPath: String) -> YAMLField {
        YAMLField(node: node, path: newPath, lineOffset: lineOffset, issues: issues)
    }

    func string() -> String? {
        guard case .scalar(let scalar) = node else { complain("a string"); return nil }
        return scalar.string
    }

    func int(in range: ClosedRange<Int>) -> Int? {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else { complain("a whole number"); return nil }
        guard range.contains(value) else {
            issues.error(line, "key '\(path)': \(value) is outside \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return value
    }

    func bool() -> Bool? {
        guard case .scalar(let scalar) = node else { complain("true or false"); return nil }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: complain("true or false"); return nil
        }
    }

    func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) -> T? where T.RawValue == String {
        guard let text = string() else { return nil }
        if let value = T(rawValue: text.lowercased()) { return value }
        let options = T.allCases.map(\.rawValue).joined(separator: ", ")
        issues.error(line, "key '\(path)': '\(text)' is not one of \(options)")
        return nil
    }

    func stringList() -> [String]? {
        if case .scalar(let scalar) = node { return [scalar.string] }
        return sequence()?.compactMap { $0.string() }
    }

    func stringMap() -> [String: String]? {
        mapping()?.compactMapValues { $0.string() }
    }

    /// Reads `500ms`, `30s`, `5m`, `2h` or a bare number of seconds.
    func duration(max: Duration? = nil) -> Duration? {
        guard let text = string() else { return nil }
        guard let value = DurationSyntax.parse(text) else {
            issues.error(line, "key '\(path)': '\(text)' is not a duration (like 500ms, 30s, 5m, 2h)")
            return nil
        }
        if let max, value > max {
            issues.error(line, "key '\(path)': \(text) is longer than the limit of \(DurationSyntax.format(max))")
            return nil
        }
        return value
    }

    /// The node as a JSON value (scalars typed by YAML's core schema).
    func json() -> JSONValue {
        switch node {
        case .scalar(let scalar): return YAMLField.scalarJSON(scalar)
        case .sequence(let items): return .array(items.map { child($0, key: "").json() })
        case .mapping(let mapping):
            var fields: [String: JSONValue] = [:]
            for (key, value) in mapping { fields[key.string ?? ""] = child(value, key: "").json() }
            return .object(fields)
        case .alias: return .null
        }
    }

    static func scalarJSON(_ scalar: Node.Scalar) -> JSONValue {
        if scalar.style != .plain { return .string(scalar.string) }
        let text = scalar.string
        switch text {
        case "true", "True", "TRUE", "yes", "Yes": return .bool(true)
        case "false", "False", "FALSE", "no", "No": return .bool(false)
        case "null", "Null", "NULL", "~", "": return .null
        default: break
        }
        if let number = Double(text), text.first.map({ $0.isNumber || $0 == "-" || $0 == "+" }) == true {
            return .number(number)
        }
        return .string(text)
    }
}
