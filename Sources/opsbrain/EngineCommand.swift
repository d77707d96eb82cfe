import ArgumentParser
import Foundation
import OpsBrainApp
import OpsBrainCore

/// `opsbrain engine`: the headless healing engine.
struct EngineCommand: OpsBrainSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Run the healing engine headless until SIGTERM or SIGINT (graceful stop).")
    @OptionGroup var global: GlobalOptions
    @Option(help: "diagnose_only, approval or auto (default: the config's engine.mode).") var mode: EngineMode?
    @Flag(name: .customLong("no-sync"), help: "Do not sync SOPs/ into the database at start.") var noSync = false
    @Option(help: "Intake server address host:port, or 'off' (default: the config's engine.listen, 127.0.0.1:9477).")
    var listen: String?
    @Flag(name: .customLong("intake-only"),
          help: "Serve intake, health, metrics and the ops API only; engines elsewhere work on what arrives.")
    var intakeOnly = false

    func execute() throws {
        let config = try global.loadConfig()
        let connection = try global.openDatabase(config: config)
        if !noSync, FileManager.default.fileExists(atPath: config.engine.sopsDirectory) {
            let outcome = try SOPSync.run(folder: config.engine.sopsDirectory, config: config, connection: connection,
                                          actor: "engine-start")
            for issue in outcome.issues where issue.level == .error { FileHandle.standardError.write(Data("\(issue)\n".utf8)) }
            FileHandle.standardError.write(Data("SOPs: \(outcome.applicability)\n".utf8))
        }
        connection.close()
        let settings = try ReportCommand.operationsSettings(global)
        let process = try EngineProcess(config: config, options: EngineProcess.Options(
            conninfo: try global.databaseLocation(config: config).conninfo, mode: mode, listen: listen, operations: settings,
            timeZone: try ReportCommand.timeZone(settings.report), stopsOnSignals: true, intakeOnly: intakeOnly))
        try process.runBlocking {
            let role = intakeOnly ? "intake only" : "engine \(process.settings.engineID) running in \(process.settings.mode.rawValue) mode"
            print(role + (process.intake.map { "; intake on port \($0.port)" } ?? "") + "; Ctrl-C stops it")
        }
    }
}

extension EngineMode: ExpressibleByArgument {}
