import Foundation
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPostgres

/// Silences alert `id` for a duration at its Alertmanager and records it, as `person`.
public typealias AlertSilencer = @Sendable (_ connection: PostgresConnection, _ id: UUID, _ duration: Duration,
                                            _ person: Approver) throws -> Void

/// What the console needs from the executable: the database, who is at the keyboard, the engine's
/// settings and runners (for the in-process engine and dry runs), and how to draw.
public struct ConsoleConfiguration: Sendable {
    public var conninfo: String
    /// The person deciding approvals (OS user, SSH client address).
    public var approver: Approver
    public var readOnly: Bool
    /// The engine to run in this process, or nil to attach to engines running elsewhere.
    public var localEngine: LocalEngine?
    public var engineSettings: EngineSettings
    public var registry: RunnerRegistry
    public var theme: Theme
    public var themes: ThemeLoader
    /// No colour (`--no-color` or `NO_COLOR`): attributes only.
    public var noColor: Bool
    /// `$TERM`.
    public var terminal: String?
    public var timeZone: TimeZone
    /// Silences an alert at its Alertmanager and records it (the executable wires it to the config's
    /// Alertmanager targets); nil when there is none.
    public var alertSilencer: AlertSilencer?
    /// Where `E` writes postmortem drafts (the directory the console was started in).
    public var exportDirectory = FileManager.default.currentDirectoryPath
    /// A warning to show as the first message (a console with no targets to reach, say).
    public var startNotice: String?
    /// Mouse reports (`--mouse`): click to select, wheel to scroll. Off by default, so the terminal's text selection works.
    public var mouse = false
    /// Inside tmux (`$TMUX`): clipboard writes go through tmux's passthrough.
    public var insideTmux = false

    public init(conninfo: String, approver: Approver, readOnly: Bool, localEngine: LocalEngine?, engineSettings: EngineSettings,
                registry: RunnerRegistry, theme: Theme, themes: ThemeLoader, noColor: Bool, terminal: String?,
                timeZone: TimeZone = .current, alertSilencer: AlertSilencer? = nil, startNotice: String? = nil) {
        self.conninfo = conninfo
        self.approver = approver
        self.readOnly = readOnly
        self.localEngine = localEngine
        self.engineSettings = engineSettings
        self.registry = registry
        self.theme = theme
        self.themes = themes
        self.noColor = noColor
        self.terminal = terminal
        self.timeZone = timeZone
        self.alertSilencer = alertSilencer
        self.startNotice = startNotice
    }
}
