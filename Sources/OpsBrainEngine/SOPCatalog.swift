import Foundation
import Logging
import OpsBrainCore
import OpsBrainDocuments
import OpsBrainPostgres

/// One SOP as the engine uses it.
public struct CatalogEntry: Sendable {
    public var id: UUID
    public var version: Int
    /// The stored file as parsed, with the lines of its steps (for the preflight's `file:line`).
    public var document: SOPDocument
    /// The targets it names that this engine's config lacks: non-empty means *not set up here*.
    public var missingTargets: [String] = []
    /// How an alert picks the instance, when some of its targets are sets of instances.
    public var selection: InstanceSelection?

    /// The SOP as this engine runs it (its parameters substituted).
    public var definition: SOPDefinition { document.definition }

    /// True when every target it names is configured.
    public var isSetUp: Bool { missingTargets.isEmpty }
}

/// The loaded SOPs, parsed from the stored file texts, with matchers built over them.
///
/// Alerts are matched against the SOPs that are set up here first; only when none matches is an
/// SOP that is not set up here considered, so its alerts are escalated naming what it lacks.
public struct SOPCatalog: Sendable {
    public let entries: [String: CatalogEntry]
    private let setUp: Matcher
    private let notSetUp: Matcher

    /// Loads every SOP that is not retired, judging each against `targets` and substituting
    /// `parameters` (this engine's config); a stored text that no longer parses, or whose
    /// parameter values here are wrong, is skipped with a log line.
    public static func load(_ connection: PostgresConnection, targets: [String: TargetDefinition],
                            parameters: SOPParameterSettings) throws -> SOPCatalog {
        let logger = Logger(label: "opsbrain.catalog")
        var entries: [String: CatalogEntry] = [:]
        let rows = try connection.query("""
            SELECT id, sop_name, version, source_text, source_path FROM self_healing_sops WHERE retired_at IS NULL
            """).rows
        for row in rows {
            guard let id = row.uuid("id"), let name = row.string("sop_name"), let text = row.string("source_text") else { continue }
            let issues = IssueCollector(file: row.string("source_path") ?? name)
            guard let document = SOPParser.parse(bytes: Array(text.utf8), path: issues.file, issues: issues,
                                                 parameters: parameters) else {
                logger.error("stored SOP no longer parses", metadata: ["sop": "\(name)", "problem": "\(issues.issues.first?.description ?? "")"])
                continue
            }
            entries[name] = CatalogEntry(id: id, version: row.int("version") ?? 1, document: document,
                                         missingTargets: document.definition.missingTargets(in: targets),
                                         selection: InstanceSelection(sop: document.definition, targets: targets))
        }
        return SOPCatalog(entries: entries)
    }

    /// Loads the SOPs with this engine's targets and parameter values.
    public static func load(_ connection: PostgresConnection, settings: EngineSettings) throws -> SOPCatalog {
        try load(connection, targets: settings.targets, parameters: settings.sopParameters)
    }

    public init(entries: [String: CatalogEntry]) {
        self.entries = entries
        setUp = Matcher(sops: entries.values.filter(\.isSetUp).map(\.definition))
        notSetUp = Matcher(sops: entries.values.filter { !$0.isSetUp }.map(\.definition))
    }

    /// SOPs set up here that list the alert's type but whose trigger rules turned it away, with why.
    public func nearMisses(for alert: AlertSnapshot) -> [(sop: String, reason: String)] {
        setUp.nearMisses(for: alert)
    }

    /// The best match among the SOPs set up here, else among those that are not; nil when none matches.
    public func bestMatch(for alert: AlertSnapshot) -> (MatchCandidate, CatalogEntry)? {
        for matcher in [setUp, notSetUp] {
            if let match = matcher.bestMatch(for: alert), let entry = entries[match.sopName] { return (match, entry) }
        }
        return nil
    }
}
