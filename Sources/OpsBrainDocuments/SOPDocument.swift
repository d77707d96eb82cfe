import OpsBrainCore

/// One SOP file as read: its definition, the human runbook, and where things are in the file.
public struct SOPDocument: Sendable {
    public var path: String
    public var definition: SOPDefinition
    /// The Markdown after the front matter.
    public var body: String
    /// The whole file text, as stored for sync and re-parsed by the engine.
    public var sourceText: String
    /// The front matter as JSON, for the table's JSONB columns.
    public var frontMatter: JSONValue
    /// Line numbers of named items (`diagnosis.<id>`, `fix.<id>`, `trigger`), for later checks.
    var lines: [String: Int]

    /// The line of a named item, or the first line.
    public func line(of key: String) -> Int { lines[key] ?? 1 }
}

/// The sections every runbook body must have (the seed plan's template).
public enum RunbookSections {
    public static let required = ["Trigger", "Severity", "Auto-Fix Allowed", "Diagnosis Steps", "Fix Steps",
                                  "Verification", "Escalate If", "Notification"]

    /// The `##` headings found in a Markdown body.
    static func headings(in body: String) -> Set<String> {
        var found: Set<String> = []
        for line in body.split(separator: "\n", omittingEmptySubsequences: false) where line.hasPrefix("## ") {
            found.insert(line.dropFirst(3).trimmingCharacters(in: .whitespaces))
        }
        return found
    }
}
