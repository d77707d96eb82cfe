import OpsBrainCore
import Yams

/// Parses console theme files: a palette of named colours and a style per semantic role.
///
/// ```yaml
/// name: dark
/// palette: {accent: "#87afd7"}
/// roles:
///   header: {fg: accent, attrs: [bold]}
///   severity:
///     critical: {fg: "#ff005f", attrs: [bold, reverse]}
/// ```
/// Roles the file leaves out fall back to the built-in theme (`Theme.style`).
public enum ThemeParser {
    static let topLevelKeys: Set<String> = ["name", "description", "palette", "roles"]
    static let styleKeys: Set<String> = ["fg", "bg", "attrs"]

    /// Parses theme text from `path` (used in messages); throws every problem found.
    public static func parse(_ text: String, path: String) throws -> Theme {
        let (theme, issues) = check(text, path: path)
        guard let theme, !issues.contains(where: { $0.level == .error }) else {
            throw ConfigParser.Failure(issues: issues)
        }
        return theme
    }

    /// Parses and reports every problem (`file:line: level: message`) without throwing.
    public static func check(_ text: String, path: String) -> (theme: Theme?, issues: [DocumentIssue]) {
        let issues = IssueCollector(file: path)
        let fallbackName = String(path.split(separator: "/").last ?? "theme").replacingOccurrences(of: ".yaml", with: "")
        guard let node = YAMLText.compose(text, lineOffset: 0, issues: issues) else {
            if !issues.hasErrors { issues.error(1, "the theme file is empty") }
            return (nil, issues.issues)
        }
        let root = YAMLField(node: node, path: "", lineOffset: 0, issues: issues)
        guard let fields = root.mapping(allowed: topLevelKeys) else { return (nil, issues.issues) }
        let palette = readPalette(fields["palette"])
        var styles: [ThemeRole: ThemeStyle] = [:]
        if let roles = fields["roles"] {
            readRoles(roles, prefix: "", palette: palette, into: &styles)
        } else {
            issues.warning(root.line, "no 'roles': every role comes from the built-in theme")
        }
        let name = fields["name"]?.string() ?? fallbackName
        return (Theme(name: name, styles: styles), issues.issues.sorted { $0.line < $1.line })
    }

    private static func readPalette(_ field: YAMLField?) -> [String: ThemeColor] {
        guard let entries = field?.mapping() else { return [:] }
        var palette: [String: ThemeColor] = [:]
        for (name, entry) in entries {
            guard let text = entry.string() else { continue }
            if let color = ThemeColor(parsing: text) { palette[name] = color } else { colorError(entry, text) }
        }
        return palette
    }

    private static func readRoles(_ field: YAMLField, prefix: String, palette: [String: ThemeColor],
                                  into styles: inout [ThemeRole: ThemeStyle]) {
        guard let entries = field.mapping() else { return }
        for (key, entry) in entries.sorted(by: { $0.key < $1.key }) {
            let name = prefix + key
            if prefix.isEmpty, ThemeRole.groups.contains(key) {
                readRoles(entry, prefix: key + ".", palette: palette, into: &styles)
            } else if let role = ThemeRole(rawValue: name) {
                if let style = readStyle(entry, palette: palette) { styles[role] = style }
            } else {
                let known = ThemeRole.allCases.map(\.rawValue).filter { prefix.isEmpty || $0.hasPrefix(prefix) }
                entry.issues.error(entry.line, "unknown role '\(name)' (known: \(known.joined(separator: ", ")))")
            }
        }
    }

    private static func readStyle(_ field: YAMLField, palette: [String: ThemeColor]) -> ThemeStyle? {
        guard let fields = field.mapping(allowed: styleKeys) else { return nil }
        var style = ThemeStyle()
        style.foreground = fields["fg"].flatMap { color($0, palette: palette) }
        style.background = fields["bg"].flatMap { color($0, palette: palette) }
        if let attrs = fields["attrs"] { style.attributes = attributes(attrs) }
        return style
    }

    private static func color(_ field: YAMLField, palette: [String: ThemeColor]) -> ThemeColor? {
        guard let text = field.string() else { return nil }
        if let named = palette[text] { return named }
        if let color = ThemeColor(parsing: text) { return color }
        colorError(field, text)
        return nil
    }

    private static func colorError(_ field: YAMLField, _ text: String) {
        field.issues.error(field.line, "key '\(field.path)': '\(text)' is not a colour (default, an ANSI name like red "
                           + "or bright-blue, 0-255, #rrggbb, or a palette name)")
    }

    private static func attributes(_ field: YAMLField) -> ThemeAttributes {
        var words: [String] = []
        if case .scalar(let scalar) = field.node {
            words = scalar.string.split(whereSeparator: { $0 == "," || $0 == "|" || $0 == " " }).map(String.init)
        } else {
            words = field.stringList() ?? []
        }
        var result: ThemeAttributes = []
        for word in words where !word.isEmpty {
            if let match = ThemeAttributes.names.first(where: { $0.0 == word.lowercased() }) {
                result.insert(match.1)
            } else if word.lowercased() != "none" {
                field.issues.error(field.line, "key '\(field.path)': unknown attribute '\(word)' (known: "
                                   + ThemeAttributes.names.map(\.0).joined(separator: ", ") + ")")
            }
        }
        return result
    }
}
