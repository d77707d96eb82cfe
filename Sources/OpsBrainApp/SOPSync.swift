import OpsBrainCore
import OpsBrainDocuments
import OpsBrainPostgres

/// Lints the folder and syncs its valid files.
public enum SOPSync {
    /// What a sync did, and the lint problems of the files it skipped.
    public struct Outcome: Sendable {
        public var sync: SOPSyncReport
        public var issues: [DocumentIssue]
        /// Files left out because they have errors (their SOPs keep their previous version).
        public var skipped: Int
        /// Loaded SOPs that name targets the config does not define, with those targets.
        public var notSetUp: [String: [String]]
        /// Loaded SOPs whose every target is configured.
        public var active: Int

        /// One line: how many SOPs can act here and how many are not set up.
        public var applicability: String {
            "\(active) active, \(notSetUp.count) not set up"
                + (notSetUp.isEmpty ? "" : " (opsbrain sop list --inactive shows what each needs)")
        }
    }

    /// Lints every file under `folder` and loads the valid ones; files that vanished are retired.
    public static func run(folder: String, config: OpsBrainConfig, connection: PostgresConnection,
                           actor: String) throws -> Outcome {
        let (sources, problems) = SOPFiles.collect([folder])
        guard problems.isEmpty else { throw SOPSyncError(message: problems.map(\.description).joined(separator: "; ")) }
        let lint = SOPLinter.lint(sources, config: config.sourcePath == nil ? nil : config)
        let rows = lint.documents.map { SOPRowMapping.row(for: $0, folder: folder) }
        let report = try SOPRepository(connection: connection).sync(
            rows, presentPaths: sources.map { SOPFiles.relative($0.path, to: folder) }, retireMissing: true, actor: actor)
        var notSetUp: [String: [String]] = [:]
        for document in lint.documents {
            let missing = document.definition.missingTargets(in: config.targets)
            if !missing.isEmpty { notSetUp[document.definition.name] = missing }
        }
        return Outcome(sync: report, issues: lint.issues, skipped: sources.count - lint.documents.count, notSetUp: notSetUp,
                       active: lint.documents.count - notSetUp.count)
    }
}

/// The SOP folder could not be read.
public struct SOPSyncError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// Maps a parsed SOP file onto the table's columns.
enum SOPRowMapping {
    /// The row for one parsed file; `sourcePath` is relative to `folder`.
    static func row(for document: SOPDocument, folder: String) -> SOPRow {
        SOPRow(definition: document.definition, frontMatter: document.frontMatter, body: document.body,
               sourceText: document.sourceText, sourcePath: SOPFiles.relative(document.path, to: folder))
    }

}
