/// The whole configuration: database, engine settings, the named targets SOPs refer to and the
/// values of their parameters.
public struct OpsBrainConfig: Sendable {
    /// The file this came from, when it came from a file.
    public var sourcePath: String?
    public var database: DatabaseConfig
    public var engine: EngineConfig
    public var targets: [String: TargetDefinition]
    /// The built-in monitors (`probes:`), validated against the targets.
    public var probes: [ProbeDefinition]
    /// Raw notification settings (validated by the notifier).
    public var notifications: JSONValue
    /// This deployment's values for SOP parameters (`sop_parameters:`), checked by lint.
    public var sopParameters: SOPParameterSettings

    public init(sourcePath: String? = nil, database: DatabaseConfig = .init(), engine: EngineConfig = .init(),
                targets: [String: TargetDefinition] = [:], probes: [ProbeDefinition] = [], notifications: JSONValue = .object([:]),
                sopParameters: SOPParameterSettings = .init()) {
        self.sourcePath = sourcePath
        self.database = database
        self.engine = engine
        self.targets = targets
        self.probes = probes
        self.notifications = notifications
        self.sopParameters = sopParameters
    }
}

/// Where the database is, when the config file says.
public struct DatabaseConfig: Sendable, Equatable {
    public var url: String?
    /// The environment variable holding the URL (keeps passwords out of the file).
    public var urlEnv: String?

    public init(url: String? = nil, urlEnv: String? = nil) {
        self.url = url
        self.urlEnv = urlEnv
    }
}

/// How the engine runs.
public struct EngineConfig: Sendable, Equatable {
    public var mode: EngineMode
    public var sopsDirectory: String
    /// Unattended fixes allowed per hour across all SOPs and engines.
    public var autoFixBudgetPerHour: Int
    /// Failed runs in a row after which an SOP needs approval.
    public var circuitBreakerFailures: Int
    /// Where the intake server listens (`host:port`, or `off`).
    public var listen: String
    /// The environment variable holding the intake/ops API bearer token.
    public var apiTokenEnv: String?
    /// How long temp_cleanup keeps moved files in quarantine (the rollback window) before deleting them.
    public var quarantineRetention: Duration = .seconds(24 * 3600)
    /// How many fixes of one SOP on one target in a window before the next escalates "fix does not hold".
    public var repeatLimit = RepeatLimit()
    /// How long an approval request stays open before `approvalExpiry` decides it.
    public var approvalTTL: Duration = .seconds(3600)
    public var approvalExpiry: ApprovalExpiryAction = .reject
    /// How long verification waits for the alert's source to resolve it, after the SOP's `wait_before`.
    public var resolveWait: Duration = .seconds(600)
    /// How many executions one engine works on at once.
    public var concurrency = 8

    public init(mode: EngineMode = .approval, sopsDirectory: String = "SOPs", autoFixBudgetPerHour: Int = 20,
                circuitBreakerFailures: Int = 3, listen: String = "127.0.0.1:9477", apiTokenEnv: String? = nil) {
        self.mode = mode
        self.sopsDirectory = sopsDirectory
        self.autoFixBudgetPerHour = autoFixBudgetPerHour
        self.circuitBreakerFailures = circuitBreakerFailures
        self.listen = listen
        self.apiTokenEnv = apiTokenEnv
    }
}

/// What happens to an approval request nobody answered within `engine.approval_ttl`.
public enum ApprovalExpiryAction: String, Sendable, Equatable, CaseIterable {
    /// Ends the run `rejected` by "approval expiry": nothing runs.
    case reject
    /// Ends the run `escalated`, paging as an escalation does.
    case escalate
}

/// A named thing in the deployment (a URL, a database, a path, a unit) that SOP steps act on.
public struct TargetDefinition: Sendable, Equatable {
    public var name: String
    public var kind: TargetKind
    /// The target's settings as written (secrets only as `*_env` variable names).
    public var fields: [String: JSONValue]
    /// A class that every operation on this target is raised to.
    public var operationClass: OperationClass
    /// Set when the target is a set of declared instances that an alert label picks from.
    public var instances: TargetInstances?

    public init(name: String, kind: TargetKind, fields: [String: JSONValue], operationClass: OperationClass = .routine,
                instances: TargetInstances? = nil) {
        self.name = name
        self.kind = kind
        self.fields = fields
        self.operationClass = operationClass
        self.instances = instances
    }
}

/// The kinds of target, each with the settings it takes.
public enum TargetKind: String, Sendable, CaseIterable, Codable {
    case http, tcp, tls, postgres, redis, path, service, command, prometheus, alertmanager, token, statement

    /// Settings every target of this kind must have (one of each group).
    public var requiredFields: [[String]] {
        switch self {
        case .http, .prometheus, .alertmanager, .token: return [["url"]]
        case .tcp, .tls: return [["host"]]
        case .postgres, .redis: return [["url", "url_env"]]
        case .path: return [["path"]]
        case .service: return [["unit", "start"]]
        case .command: return [["argv"]]
        case .statement: return [["database"], ["sql"]]
        }
    }

    /// Every setting this kind accepts.
    public var allowedFields: Set<String> {
        let common: Set<String> = ["type", "class", "timeout", "description"]
        switch self {
        case .http: return common.union(["url", "headers_env", "tls_verify"])
        case .prometheus, .alertmanager: return common.union(["url", "headers_env"])
        case .tcp: return common.union(["host", "port"])
        case .tls: return common.union(["host", "port", "server_name"])
        case .postgres, .redis: return common.union(["url", "url_env"])
        case .path: return common.union(["path", "quarantine", "reopen"])
        case .service: return common.union(["unit", "start", "stop", "status", "reload", "health"])
        case .command: return common.union(["argv"])
        case .token: return common.union(["url", "store", "credentials_env", "headers_env"])
        case .statement: return common.union(["database", "sql", "table", "restore_column", "params"])
        }
    }
}
