import ArgumentParser
import Dispatch
import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainEngine
import OpsBrainIntake
import OpsBrainPlatform

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

    func execute() throws {
        let config = try global.loadConfig()
        let connection = try global.openDatabase(config: config)
        if !noSync, FileManager.default.fileExists(atPath: config.engine.sopsDirectory) {
            let outcome = try SOPSync.run(folder: config.engine.sopsDirectory, config: config, connection: connection,
                                          actor: "engine-start")
            for issue in outcome.issues where issue.level == .error { FileHandle.standardError.write(Data("\(issue)\n".utf8)) }
        }
        connection.close()
        let conninfo = try global.databaseLocation(config: config).conninfo
        var settings = EngineAssembly.settings(config: config, mode: mode)
        let metrics = MetricsRegistry()
        settings.metrics = metrics
        let probes = EngineAssembly.probeScheduler(config: config, settings: settings, conninfo: conninfo)
        let engine = HealingEngine(conninfo: conninfo, settings: settings,
                                   registry: EngineAssembly.registry(conninfo: conninfo, probes: probes))
        let server = try IntakeAssembly.start(listen: listen ?? config.engine.listen, config: config, conninfo: conninfo,
                                              metrics: metrics, isLeader: { engine.isLeader })
        defer { server?.stop() }
        probes.start { engine.isLeader }
        defer { probes.stop() }
        let stopBackground = try ReportCommand.startBackground(global, conninfo: conninfo, engineID: settings.engineID,
                                                               isLeader: { engine.isLeader })
        defer { stopBackground() }
        let signals = SignalTrap(signals: [SIGTERM, SIGINT]) { engine.stop() }
        defer { signals.cancel() }
        print("engine \(engine.settings.engineID) running in \(engine.settings.mode.rawValue) mode"
              + (server.map { "; intake on port \($0.port)" } ?? "") + "; Ctrl-C stops it")
        try engine.run()
    }
}

extension EngineMode: ExpressibleByArgument {}

/// Turns SIGTERM/SIGINT into a call, instead of killing the process mid-step.
final class SignalTrap: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []

    init(signals: [Int32], handler: @escaping @Sendable () -> Void) {
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            sources.append(source)
        }
    }

    func cancel() { sources.forEach { $0.cancel() } }
}
