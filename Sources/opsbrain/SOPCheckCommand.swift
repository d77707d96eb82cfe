import ArgumentParser
import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainDocuments
import OpsBrainEngine

/// `opsbrain sop check`: the preflight, run by hand against the deployment the config describes.
struct SOPCheckCommand: OpsBrainSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run every set-up SOP's read-only diagnosis once against the deployment; print each step that cannot work here.",
        discussion: "Finds a missing table or column, a metric query with no series, a 404 path, an unreachable target or a "
            + "missing permission before an alert does. Prints file:line: error: ... per problem; exits 1 when there is any. "
            + "Needs no Ops Brain database.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Files or folders (default: the config's sops_dir, SOPs/).") var paths: [String] = []

    func execute() throws {
        let config = try global.loadConfig()
        let (sources, problems) = SOPFiles.collect(paths.isEmpty ? [config.engine.sopsDirectory] : paths)
        for problem in problems { print(problem) }
        let lint = SOPLinter.lint(sources, config: config)
        let settings = EngineAssembly.settings(config: config)
        let report = SOPPreflight.run(lint.documents, settings: settings, registry: EngineAssembly.registry(conninfo: ""))
        for finding in report.findings { print(finding) }
        let notSetUp = lint.documents.count - report.sopsChecked
        print("\(report.sopsChecked) SOPs checked (\(report.stepsRun) diagnosis steps), \(report.findings.count) cannot work here"
              + (notSetUp > 0 ? "; \(notSetUp) not set up (opsbrain sop list --inactive)" : "")
              + (lint.errorCount > 0 ? "; \(lint.errorCount) lint errors (opsbrain sop lint)" : ""))
        if !report.findings.isEmpty || !problems.isEmpty { throw ExitCode(1) }
    }
}
