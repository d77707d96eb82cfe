import OpsBrainCore

/// One SOP file's raw content, as read from disk.
public struct SOPSource: Sendable {
    public var path: String
    public var bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }
}

/// The outcome of linting a set of SOP files.
public struct SOPLintReport: Sendable {
    /// The files that parsed without errors (a broken file never stops the others).
    public var documents: [SOPDocument]
    /// Every problem, ordered by file and line.
    public var issues: [DocumentIssue]

    public var errorCount: Int { issues.filter { $0.level == .error }.count }
    public var warningCount: Int { issues.filter { $0.level == .warning }.count }
}

/// Lints SOP files: each parsed and validated on its own, then names checked across files.
public enum SOPLinter {
    /// Lints `sources`; with a config, targets and parameter values are checked against it,
    /// otherwise targets are warnings. `wholeCatalogue`: the sources are every SOP, so a config
    /// value for an SOP or a parameter that none of them has is an error.
    public static func lint(_ sources: [SOPSource], config: OpsBrainConfig?, wholeCatalogue: Bool = true) -> SOPLintReport {
        var documents: [SOPDocument] = []
        var issues: [DocumentIssue] = []
        let settings = config?.sopParameters ?? SOPParameterSettings()
        for source in sources.sorted(by: { $0.path < $1.path }) {
            let collector = IssueCollector(file: source.path)
            if let document = SOPParser.parse(bytes: source.bytes, path: source.path, issues: collector, parameters: settings) {
                SOPValidator(document: document, targets: config?.targets, issues: collector).validate()
                if !collector.hasErrors { documents.append(document) }
            }
            issues += collector.issues.sorted { $0.line < $1.line }
        }
        let (unique, duplicateIssues) = removeDuplicateNames(documents)
        let unused = wholeCatalogue ? SOPParameterUsage.unmatchedSettings(settings, sources: sources) : []
        return SOPLintReport(documents: unique, issues: uniqued(issues + duplicateIssues + unused))
    }

    /// Each issue once: a bad config value shared by several SOPs is reported by each of them.
    private static func uniqued(_ issues: [DocumentIssue]) -> [DocumentIssue] {
        var seen: Set<String> = []
        return issues.filter { seen.insert($0.description).inserted }
    }

    /// Keeps the first file for each name and reports the others.
    private static func removeDuplicateNames(_ documents: [SOPDocument]) -> ([SOPDocument], [DocumentIssue]) {
        var firstByName: [String: SOPDocument] = [:]
        var unique: [SOPDocument] = []
        var issues: [DocumentIssue] = []
        for document in documents {
            let name = document.definition.name
            if let first = firstByName[name] {
                issues.append(DocumentIssue(file: document.path, line: document.line(of: "name"), level: .error,
                                            message: "duplicate SOP name '\(name)' (also in \(first.path))"))
                continue
            }
            firstByName[name] = document
            unique.append(document)
        }
        return (unique, issues)
    }
}
