import ArgumentParser
import Foundation
import OpsBrainCore
import OpsBrainDocuments
import OpsBrainEngine
import OpsBrainPlatform
import OpsBrainPostgres
import OpsBrainApp

/// `opsbrain sop`: lint, sync, list and show runbooks.
struct SOPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sop",
        abstract: "Work with SOPs: lint the files, sync them into the database, list and show them.",
        subcommands: [Lint.self, Sync.self, SOPCheckCommand.self, List.self, Show.self, DryRunCommand.self, SuggestionsCommand.self])

    struct Lint: OpsBrainSubcommand {
        static let configuration = CommandConfiguration(
            abstract: "Check SOP files; prints file:line: error|warning: message, exits 1 on any error.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Files or folders (default: the config's sops_dir, SOPs/).") var paths: [String] = []

        func execute() throws {
            let config = try global.loadConfigIfPresent()
            let folders = paths.isEmpty ? [config?.engine.sopsDirectory ?? "SOPs"] : paths
            let (sources, problems) = SOPFiles.collect(folders)
            let report = SOPLinter.lint(sources, config: config, wholeCatalogue: isWholeCatalogue(folders, config: config))
            for issue in problems + report.issues { print(issue) }
            let errors = report.errorCount + problems.count
            print("\(sources.count) files, \(report.documents.count) valid, \(errors) errors, \(report.warningCount) warnings"
                  + (config == nil ? " (no config: targets unchecked; pass --config)" : ""))
            if errors > 0 { throw ExitCode(1) }
        }

        /// True when the SOP folder itself is linted, so config values for SOPs it lacks are errors.
        private func isWholeCatalogue(_ folders: [String], config: OpsBrainConfig?) -> Bool {
            let catalogue = ((config?.engine.sopsDirectory ?? "SOPs") as NSString).standardizingPath
            return folders.contains { ($0 as NSString).standardizingPath == catalogue }
        }
    }

    struct Sync: OpsBrainSubcommand {
        static let configuration = CommandConfiguration(
            abstract: "Load SOP files into the database: new inserted, changed get a new version, missing retired.")
        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("dir"), help: "The SOP folder (default: the config's sops_dir, SOPs/).") var directory: String?

        func execute() throws {
            let config = try global.loadConfig()
            let folder = directory ?? config.engine.sopsDirectory
            let connection = try global.openDatabase(config: config)
            defer { connection.close() }
            let report = try SOPSync.run(folder: folder, config: config, connection: connection,
                                         actor: "cli:\(UserAccount.currentName)")
            for issue in report.issues where issue.level == .error { print(issue) }
            let sync = report.sync
            print("synced \(folder): \(sync.inserted.count) new, \(sync.updated.count) changed, "
                  + "\(sync.unchanged.count) unchanged, \(sync.retired.count) retired, \(report.skipped) skipped with errors")
            print(report.applicability)
            for (name, version) in sync.updated.sorted(by: { $0.key < $1.key }) { print("  \(name) → version \(version)") }
            for name in sync.retired { print("  \(name) retired (file gone)") }
            if report.skipped > 0 { throw ExitCode(1) }
        }
    }

    struct List: OpsBrainSubcommand {
        static let configuration = CommandConfiguration(abstract: "List SOPs with risk, auto-fix, version and success rate.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Include retired SOPs.") var all = false
        @Flag(help: "Only the SOPs not set up here, with the config targets each needs.") var inactive = false

        func execute() throws {
            let config = try global.loadConfig()
            let connection = try global.openDatabase(config: config)
            defer { connection.close() }
            guard !inactive else {
                let catalog = try SOPCatalog.load(connection, targets: config.targets, parameters: config.sopParameters)
                let entries = catalog.entries.values.filter { !$0.isSetUp }
                print(SOPTable.renderNotSetUp(entries.map { ($0.definition.name, $0.missingTargets) }))
                return
            }
            let sops = try SOPRepository(connection: connection).list(includeRetired: all)
            print(SOPTable.render(sops))
        }
    }

    struct Show: OpsBrainSubcommand {
        static let configuration = CommandConfiguration(abstract: "Show one SOP: statistics, versions and the runbook.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The SOP name.") var name: String

        func execute() throws {
            let config = try global.loadConfig()
            let connection = try global.openDatabase(config: config)
            defer { connection.close() }
            guard let detail = try SOPRepository(connection: connection).detail(name: name) else {
                throw CLIError("no SOP named '\(name)' (run 'opsbrain sop sync' first; 'opsbrain sop list' shows them)")
            }
            let issues = IssueCollector(file: detail.sourcePath)
            let document = SOPParser.parse(bytes: Array(detail.sourceText.utf8), path: detail.sourcePath, issues: issues,
                                           parameters: config.sopParameters)
            print(SOPTable.render(detail, parameters: document?.definition.parameters ?? []))
            for issue in issues.issues where issue.level == .error { print(issue) }
        }
    }
}
