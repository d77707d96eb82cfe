import OpsBrainPostgres

/// What the status bar shows: the database, the engines, the mode and the counts.
public struct StatusInfo: Sendable, Equatable {
    /// The engine running inside this console process, if any.
    public enum LocalEngine: Sendable, Equatable {
        /// `--no-engine` (or read-only): the console attaches to engines running elsewhere.
        case none
        case running
        case stopped(reason: String)
    }

    public var databaseUp: Bool
    /// Where the database is, or why it is unreachable (never credentials).
    public var databaseText: String
    public var enginesAlive: Int
    /// The leader engine's id (`host:pid:tag`), when one is alive.
    public var leader: String?
    /// The mode of the leader, else of the newest live engine.
    public var mode: String?
    public var localEngine: LocalEngine
    public var counts: ConsoleCounts
    /// Notification deliveries that failed for good in the last 24 hours.
    public var failedNotifications = 0
    /// Diagnosis steps the last preflight found cannot work on this deployment.
    public var preflightProblems = 0
    /// Predicted issues from probe samples (trends to thresholds, certificates expiring), as sentences.
    public var predictions: [String] = []

    public init(databaseUp: Bool = false, databaseText: String = "connecting", enginesAlive: Int = 0, leader: String? = nil,
                mode: String? = nil, localEngine: LocalEngine = .none, counts: ConsoleCounts = ConsoleCounts()) {
        self.databaseUp = databaseUp
        self.databaseText = databaseText
        self.enginesAlive = enginesAlive
        self.leader = leader
        self.mode = mode
        self.localEngine = localEngine
        self.counts = counts
    }
}
