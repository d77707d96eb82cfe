import Foundation
import OpsBrainCore
import Yams

/// Reads one SOP file: front matter into an `SOPDefinition`, body sections checked.
///
/// Every problem is reported with its line; a file with errors yields no definition.
public enum SOPParser {
    public static let maxFileBytes = 256 * 1024

    static let topKeys: Set<String> = [
        "name", "category", "agent", "description", "severity", "risk", "auto_fix", "requires_approval",
        "max_executions_per_hour", "cooldown_minutes", "trigger", "diagnosis", "fix", "verification",
        "escalate_if", "notification", "mode", "parameters"]
    static let requiredKeys = ["name", "category", "agent", "description", "severity", "risk", "trigger", "diagnosis"]

    /// Parses the raw bytes of the file at `path` (the path is used in messages), with this
    /// deployment's `parameters` values substituted for the `{{name}}` placeholders and its
    /// skipped steps marked.
    public static func parse(bytes: [UInt8], path: String, issues: IssueCollector,
                             parameters settings: SOPParameterSettings = .init()) -> SOPDocument? {
        guard let text = decode(bytes, issues: issues) else { return nil }
        guard let (yaml, body, bodyLine) = splitFrontMatter(text, issues: issues) else { return nil }
        guard let written = YAMLText.compose(yaml, lineOffset: 1, issues: issues) else {
            if !issues.hasErrors { issues.error(1, "the front matter is empty") }
            return nil
        }
        checkSections(body, bodyLine: bodyLine, issues: issues)
        let (node, parameters, parameterLines) = expand(written, settings: settings, issues: issues)
        let root = YAMLField(node: node, path: "", lineOffset: 1, issues: issues)
        guard let fields = root.mapping(allowed: topKeys) else { return nil }
        for key in requiredKeys where fields[key] == nil {
            issues.error(root.line, "required key '\(key)' is missing")
        }
        var reader = SOPFieldReader(fields: fields, issues: issues)
        guard var definition = reader.read(), !issues.hasErrors else { return nil }
        SOPStepSkips.apply(settings, to: &definition, issues: issues)
        settings.limits[definition.name]?.apply(to: &definition)
        guard !issues.hasErrors else { return nil }
        definition.parameters = parameters.values.sorted { $0.name < $1.name }
        return SOPDocument(path: path, definition: definition, body: body, sourceText: text,
                           frontMatter: YAMLField(node: written, path: "", lineOffset: 1, issues: issues).json(),
                           lines: reader.lines.merging(parameterLines) { first, _ in first })
    }

    /// The front matter with its parameters' values substituted, and the parameters as declared.
    private static func expand(_ written: Node, settings: SOPParameterSettings, issues: IssueCollector)
        -> (Node, [String: SOPParameter], [String: Int]) {
        let declarations = written["parameters"].map { YAMLField(node: $0, path: "parameters", lineOffset: 1, issues: issues) }
        let reader = SOPParameterReader(issues: issues, settings: settings)
        let (parameters, lines) = reader.read(declarations, sop: written["name"]?.string, targets: targetNames(in: written))
        var expander = SOPParameterExpander(parameters: parameters, issues: issues, lineOffset: 1)
        return (expander.expand(written, declarationLines: lines), parameters, lines)
    }

    /// The targets the written front matter names (`target:` values never take a parameter, so they are read as written).
    private static func targetNames(in node: Node) -> Set<String> {
        switch node {
        case .mapping(let mapping):
            var names: Set<String> = []
            for (key, value) in mapping {
                if key.string == "target", let name = value.string { names.insert(name) } else { names.formUnion(targetNames(in: value)) }
            }
            return names
        case .sequence(let items): return items.reduce(into: []) { $0.formUnion(targetNames(in: $1)) }
        default: return []
        }
    }

    static func decode(_ bytes: [UInt8], issues: IssueCollector) -> String? {
        guard bytes.count <= maxFileBytes else {
            issues.error(1, "file is larger than the \(maxFileBytes / 1024) KiB limit for an SOP")
            return nil
        }
        if let nul = bytes.firstIndex(of: 0) {
            issues.error(bytes[..<nul].filter { $0 == 10 }.count + 1, "binary content (NUL byte): not a Markdown file")
            return nil
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            issues.error(1, "not valid UTF-8 text")
            return nil
        }
        return text
    }

    /// Splits `---` front matter from the body; returns (yaml, body, first body line).
    static func splitFrontMatter(_ text: String, issues: IssueCollector) -> (String, String, Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? $0.dropLast() : $0
        }
        guard lines.first == "---" else {
            issues.error(1, "no front matter: an SOP starts with a '---' line, its YAML, and a closing '---'")
            return nil
        }
        guard let close = lines.dropFirst().firstIndex(where: { $0 == "---" || $0 == "..." }) else {
            issues.error(1, "the front matter has no closing '---' line")
            return nil
        }
        let yaml = lines[1..<close].joined(separator: "\n")
        let body = lines[(close + 1)...].joined(separator: "\n")
        return (yaml, body, close + 2)
    }

    private static func checkSections(_ body: String, bodyLine: Int, issues: IssueCollector) {
        let found = RunbookSections.headings(in: body)
        let missing = RunbookSections.required.filter { !found.contains($0) }
        if !missing.isEmpty {
            issues.error(bodyLine, "runbook body lacks section(s): " + missing.map { "'## \($0)'" }.joined(separator: ", "))
        }
    }
}
