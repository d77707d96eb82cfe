import Foundation
import OpsBrainCore

/// How an engine runs: its identity, mode, limits, and what its steps may reach.
public struct EngineSettings: Sendable {
    public var engineID: String
    public var mode: EngineMode
    public var targets: [String: TargetDefinition]
    /// This deployment's values for SOP parameters, substituted when the SOPs are loaded.
    public var sopParameters: SOPParameterSettings
    /// Where `*_env` target settings are read from.
    public var environment: [String: String]
    public var autoFixBudgetPerHour: Int
    public var circuitBreakerFailures: Int
    /// Fixes of one SOP on one target in a window before the next escalates "fix does not hold".
    public var repeatLimit = RepeatLimit()
    /// How long an approval request waits for a person, and what its expiry does.
    public var approvalTTL: Duration = .seconds(3600)
    public var approvalExpiry: ApprovalExpiryAction = .reject
    /// How long verification waits for a resolving source (or any source, when hard) after `wait_before`.
    public var resolveWait: Duration = .seconds(600)
    /// How often verification runs a lagging check again once the alert's source has resolved.
    public var verificationRecheck: Duration = .seconds(15)
    /// How many executions this engine works on at once (`engine.concurrency`).
    public var concurrency = 8
    /// How long a claim lasts; a dead engine's claims are taken over sooner, by heartbeat age.
    public var leaseSeconds: Int
    /// The longest the loop sleeps between looks at due work.
    public var pollInterval: Duration
    public var heartbeatInterval: Duration
    /// Where decision latency is recorded for /metrics, when an intake server runs.
    public var metrics: MetricsRegistry?

    public init(engineID: String = EngineSettings.makeEngineID(), mode: EngineMode = .approval,
                targets: [String: TargetDefinition] = [:], sopParameters: SOPParameterSettings = .init(),
                environment: [String: String] = ProcessInfo.processInfo.environment,
                autoFixBudgetPerHour: Int = 20, circuitBreakerFailures: Int = 3, leaseSeconds: Int = 600,
                pollInterval: Duration = .seconds(1), heartbeatInterval: Duration = .seconds(5)) {
        self.engineID = engineID
        self.mode = mode
        self.targets = targets
        self.sopParameters = sopParameters
        self.environment = environment
        self.autoFixBudgetPerHour = autoFixBudgetPerHour
        self.circuitBreakerFailures = circuitBreakerFailures
        self.leaseSeconds = leaseSeconds
        self.pollInterval = pollInterval
        self.heartbeatInterval = heartbeatInterval
    }

    /// `host:pid:random`, unique per engine process.
    public static func makeEngineID() -> String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(6).lowercased())"
    }

    /// Every secret the targets read from the environment, for redaction.
    public var redactor: SecretRedactor {
        SecretRedactor(secrets: targets.values.flatMap { $0.secrets(environment: environment) })
    }
}
