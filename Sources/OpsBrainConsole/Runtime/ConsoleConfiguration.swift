import Foundation
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPostgres

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
    /// A warning to show as the first message (a console with no targets to reach, say).
    public var startNotice: String?

    public init(conninfo: String, approver: Approver, readOnly: Bool, localEngine: LocalEngine?, engineSettings: EngineSettings,
                registry: RunnerRegistry, theme: Theme, themes: ThemeLoader, noColor: Bool, terminal: String?,
                timeZone: TimeZone = .current, startNotice: String? = nil) {
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
        self.startNotice = startNotice
    }
}
