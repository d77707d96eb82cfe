import Foundation
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPostgres
import OpsBrainRunners

/// Puts an engine together from the config: settings, every registered runner and driver.
public enum EngineAssembly {
    /// The engine's settings from the config file and the environment.
    public static func settings(config: OpsBrainConfig, mode: EngineMode? = nil,
                                environment: [String: String] = ProcessInfo.processInfo.environment) -> EngineSettings {
        var settings = EngineSettings(mode: mode ?? config.engine.mode, targets: config.targets, sopParameters: config.sopParameters,
                                      environment: environment,
                                      autoFixBudgetPerHour: config.engine.autoFixBudgetPerHour,
                                      circuitBreakerFailures: config.engine.circuitBreakerFailures)
        settings.repeatLimit = config.engine.repeatLimit
        settings.approvalTTL = config.engine.approvalTTL
        settings.approvalExpiry = config.engine.approvalExpiry
        settings.resolveWait = config.engine.resolveWait
        settings.concurrency = config.engine.concurrency
        return settings
    }

    /// Every step runner and operation driver, with the alert check reading from `conninfo` and
    /// re-running an alert's probe through `probes` when it came from one; temp_cleanup keeps what
    /// it moves for `quarantineRetention`.
    public static func registry(conninfo: String, probes: ProbeScheduler? = nil,
                                quarantineRetention: Duration = TempQuarantine.defaultRetention) -> RunnerRegistry {
        let alertStatus: @Sendable (UUID) -> String? = { id in
            guard let connection = try? PostgresConnection(conninfo: conninfo, applicationName: "opsbrain-check") else { return nil }
            defer { connection.close() }
            return try? ExecutionRepository(connection: connection).alertStatus(id)
        }
        let runners: [any StepRunner] = HTTPRunners.stepRunners() + RedisRunners.stepRunners() + SystemRunners.stepRunners()
            + [SQLStepRunner(), WaitStepRunner(), AlertCheckRunner(currentStatus: alertStatus, rerunProbe: { probes?.rerun(probe: $0) })]
        let drivers: [any OperationDriver] = HTTPRunners.operationDrivers() + RedisRunners.operationDrivers()
            + SystemRunners.operationDrivers(quarantine: TempQuarantine(retention: quarantineRetention)) + [PostgresOperationDriver(), CommunicationDriver(), TokenRefreshDriver()]
        return RunnerRegistry(runners: runners, drivers: drivers)
    }

    /// The notification outbox worker for the configured channels (the engine's, and `report --send`'s).
    public static func notifier(_ settings: NotificationSettings, environment: [String: String], conninfo: String,
                                workerID: String) -> NotifierWorker {
        NotifierWorker(conninfo: conninfo, settings: settings, channels: NotifyRunners.channels(settings, environment: environment),
                       workerID: workerID)
    }
}
