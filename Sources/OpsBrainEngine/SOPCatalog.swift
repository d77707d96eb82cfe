import Foundation
import Logging
import OpsBrainCore
import OpsBrainDocuments
import OpsBrainPostgres

/// One active SOP as the engine uses it.
public struct CatalogEntry: Sendable {
    public var id: UUID
    public var version: Int
    public var definition: SOPDefinition
}

/// The active SOPs, parsed from the stored file texts, with a matcher built over them.
public struct SOPCatalog: Sendable {
    public let entries: [String: CatalogEntry]
    public let matcher: Matcher

    /// Loads every active SOP; a stored text that no longer parses is skipped with a log line.
    public static func load(_ connection: PostgresConnection) throws -> SOPCatalog {
        let logger = Logger(label: "opsbrain.catalog")
        var entries: [String: CatalogEntry] = [:]
        let rows = try connection.query("""
            SELECT id, sop_name, version, source_text, source_path FROM self_healing_sops WHERE retired_at IS NULL
            """).rows
        for row in rows {
            guard let id = row.uuid("id"), let name = row.string("sop_name"), let text = row.string("source_text") else { continue }
            let issues = IssueCollector(file: row.string("source_path") ?? name)
            guard let document = SOPParser.parse(bytes: Array(text.utf8), path: issues.file, issues: issues) else {
                logger.error("stored SOP no longer parses", metadata: ["sop": "\(name)", "problem": "\(issues.issues.first?.description ?? "")"])
                continue
            }
            entries[name] = CatalogEntry(id: id, version: row.int("version") ?? 1, definition: document.definition)
        }
        return SOPCatalog(entries: entries, matcher: Matcher(sops: entries.values.map(\.definition)))
    }

    public init(entries: [String: CatalogEntry], matcher: Matcher) {
        self.entries = entries
        self.matcher = matcher
    }
}
