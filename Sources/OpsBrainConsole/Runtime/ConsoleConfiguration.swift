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
    /// Run a healing engine on a background thread (false: attach to engines running elsewhere).
    public var runEngine: Bool
    public var engineSettings: EngineSettings
    public var registry: RunnerRegistry
    public var theme: Theme
    public var themes: ThemeLoader
    /// No colour (`--no-color` or `NO_COLOR`): attributes only.
    public var noColor: Bool
    /// `$TERM`.
    public var terminal: String?
    public var timeZone: TimeZone
    /// Starts what runs next to an in-process engine (probes, the notification outbox, scheduled
    /// jobs), given the engine's leadership; returns the call that stops them.
    public var companions: (@Sendable (_ isLeader: @escaping @Sendable () -> Bool) throws -> @Sendable () -> Void)?

    public init(conninfo: String, approver: Approver, readOnly: Bool, runEngine: Bool, engineSettings: EngineSettings,
                registry: RunnerRegistry, theme: Theme, themes: ThemeLoader, noColor: Bool, terminal: String?,
                timeZone: TimeZone = .current,
                companions: (@Sendable (_ isLeader: @escaping @Sendable () -> Bool) throws -> @Sendable () -> Void)? = nil) {
        self.conninfo = conninfo
        self.approver = approver
        self.readOnly = readOnly
        self.runEngine = runEngine
        self.engineSettings = engineSettings
        self.registry = registry
        self.theme = theme
        self.themes = themes
        self.noColor = noColor
        self.terminal = terminal
        self.timeZone = timeZone
        self.companions = companions
    }
}
