import ArgumentParser
import Foundation
import OpsBrainApp
import OpsBrainConsole
import OpsBrainCore
import OpsBrainPlatform

/// `opsbrain console`: the full-screen ops console.
struct ConsoleCommand: OpsBrainSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "The full-screen ops console: live alerts, pipelines, approvals, SOP statistics, the audit trail and dry runs.",
        discussion: "Runs a healing engine on a background thread unless --no-engine (attach to a headless 'opsbrain engine'). "
            + "Logs go to --log-file while the screen is up. Keys: ? lists every key. See docs/console.md.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Watch only: approve, reject, rollback and dry runs are refused, and no engine runs in this process.")
    var readonly = false
    @Flag(name: .customLong("no-engine"), help: "Do not run an engine in this process; attach to engines running elsewhere.")
    var noEngine = false
    @Option(help: "A theme name (dark, light, high-contrast, mono, or one in ~/.config/opsbrain/themes) or a .yaml path (default: $OPSBRAIN_THEME, else dark).")
    var theme: String?
    @Flag(name: .customLong("no-color"), help: "No colour, attributes only (also when NO_COLOR is set).")
    var noColor = false
    @Flag(help: "Mouse support: click a row or a tab, wheel to scroll (a click never confirms). Off by default, so the terminal's text selection works.")
    var mouse = false
    @Option(name: .customLong("log-file"), help: "Where log lines go while the screen is up (default: ~/.local/state/opsbrain/console.log).")
    var logFile: String?

    /// Loads config and theme, syncs SOPs when an engine runs here, and runs the console with logs sent to a file.
    func execute() throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw CLIError("the console needs a terminal on standard input and output")
        }
        let environment = ProcessInfo.processInfo.environment
        let found = try global.loadConfigIfPresent()
        let config = found ?? OpsBrainConfig()
        let notice = Self.targetsNotice(configFound: found != nil, config: config)
        if let notice { FileHandle.standardError.write(Data("warning: \(notice)\n".utf8)) }
        let runEngine = !noEngine && !readonly
        let connection = try global.openDatabase(config: config, applicationName: "opsbrain-console")
        if runEngine, FileManager.default.fileExists(atPath: config.engine.sopsDirectory) {
            let outcome = try SOPSync.run(folder: config.engine.sopsDirectory, config: config, connection: connection, actor: "console-start")
            for issue in outcome.issues where issue.level == .error { FileHandle.standardError.write(Data("\(issue)\n".utf8)) }
            FileHandle.standardError.write(Data("SOPs: \(outcome.applicability)\n".utf8))
        }
        connection.close()
        let themes = ThemeLoader.standard()
        let conninfo = try global.databaseLocation(config: config).conninfo
        let operations = try ReportCommand.operationsSettings(global)
        // The same engine process as `opsbrain engine`, without intake and with the console owning the signals.
        let process = try EngineProcess(config: config, options: EngineProcess.Options(
            conninfo: conninfo, listen: "off", operations: operations, timeZone: try ReportCommand.timeZone(operations.report)))
        var console = ConsoleConfiguration(
            conninfo: conninfo, approver: ApproverIdentity.current(), readOnly: readonly, localEngine: runEngine ? process.localEngine : nil,
            engineSettings: process.settings, registry: process.registry,
            theme: try themes.load(theme ?? environment["OPSBRAIN_THEME"].flatMap { $0.isEmpty ? nil : $0 }), themes: themes,
            noColor: noColor || !(environment["NO_COLOR"] ?? "").isEmpty, terminal: environment["TERM"],
            alertSilencer: { connection, id, duration, person in
                try AlertSilenceAction(connection: connection, config: config).silence(id, for: duration, by: person)
            }, startNotice: notice)
        console.mouse = mouse
        console.insideTmux = !(environment["TMUX"] ?? "").isEmpty
        let log = try LogRedirection(path: logFile ?? Self.defaultLogPath(environment))
        let summary: String
        do {
            summary = try OpsConsole.run(console)
            log.restore()
        } catch {
            log.restore()
            throw error
        }
        print("\(summary) (log: \(log.path))")
    }

    /// Why checks and dry runs would reach nothing: no config file was found, or it defines no targets.
    static func targetsNotice(configFound: Bool, config: OpsBrainConfig) -> String? {
        guard config.targets.isEmpty else { return nil }
        return configFound ? "the config defines no targets: checks and dry runs have nothing to reach"
            : "no config file (--config, $OPSBRAIN_CONFIG, ./opsbrain.yaml or ~/.config/opsbrain/opsbrain.yaml): "
                + "no targets, so checks and dry runs reach nothing"
    }

    private static func defaultLogPath(_ environment: [String: String]) -> String {
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        return base + "/opsbrain/console.log"
    }
}

/// Sends standard error to a file while the screen is up, so log lines never scribble over it.
final class LogRedirection {
    let path: String
    private let saved: Int32

    init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CLIError("cannot open the log file \(path): \(String(cString: strerror(errno)))") }
        saved = dup(STDERR_FILENO)
        dup2(descriptor, STDERR_FILENO)
        close(descriptor)
    }

    /// Puts standard error back.
    func restore() {
        guard saved >= 0 else { return }
        dup2(saved, STDERR_FILENO)
        close(saved)
    }
}
