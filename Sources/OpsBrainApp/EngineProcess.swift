import Foundation
import Logging
import OpsBrainCore
import OpsBrainEngine
import OpsBrainIntake
import OpsBrainPlatform
import OpsBrainRunners
import ServiceLifecycle

/// The engine process, assembled once: the engine loop, its heartbeat, the intake server, the
/// probes, the notification outbox and the scheduled jobs, as one swift-service-lifecycle group.
///
/// `opsbrain engine` runs it with SIGTERM/SIGINT as the group's graceful-shutdown signals; the
/// console runs it in-process without signals (its UI owns them) and without intake. A graceful
/// shutdown stops the services in reverse order: intake first, so no new alert arrives while the
/// engine finishes its step, and the heartbeat last, so the engine's claims stay alive until then.
public final class EngineProcess: Sendable {
    /// What the process is made of besides the config file.
    public struct Options: Sendable {
        public var conninfo: String
        /// The engine mode (default: the config's).
        public var mode: EngineMode?
        /// `host:port` for intake, `off`, or nil for the config's `engine.listen`.
        public var listen: String?
        /// The `notifications`, `llm` and `report` sections.
        public var operations: OperationsSettings
        public var timeZone: TimeZone
        public var environment: [String: String]
        /// SIGTERM and SIGINT stop the group gracefully (false when a UI owns the signals).
        public var stopsOnSignals: Bool
        /// Serve intake only: no engine loop, probes or jobs (engines elsewhere work on what arrives).
        public var intakeOnly: Bool

        public init(conninfo: String, mode: EngineMode? = nil, listen: String? = nil, operations: OperationsSettings = OperationsSettings(),
                    timeZone: TimeZone = .current, environment: [String: String] = ProcessInfo.processInfo.environment,
                    stopsOnSignals: Bool = false, intakeOnly: Bool = false) {
            self.conninfo = conninfo
            self.mode = mode
            self.listen = listen
            self.operations = operations
            self.timeZone = timeZone
            self.environment = environment
            self.stopsOnSignals = stopsOnSignals
            self.intakeOnly = intakeOnly
        }
    }

    public let engine: HealingEngine
    /// The runners and drivers the engine uses (dry runs use the same).
    public let registry: RunnerRegistry
    /// The intake server, unless `listen` is `off`.
    public let intake: HTTPServer?
    private let group: ServiceGroup

    public init(config: OpsBrainConfig, options: Options) throws {
        var settings = EngineAssembly.settings(config: config, mode: options.mode, environment: options.environment)
        let metrics = MetricsRegistry()
        settings.metrics = metrics
        let probes = EngineAssembly.probeScheduler(config: config, settings: settings, conninfo: options.conninfo)
        registry = EngineAssembly.registry(conninfo: options.conninfo, probes: probes, quarantineRetention: config.engine.quarantineRetention)
        let engine = HealingEngine(conninfo: options.conninfo, settings: settings, registry: registry)
        self.engine = engine
        intake = try IntakeAssembly.server(listen: options.listen ?? config.engine.listen, config: config, conninfo: options.conninfo,
                                           metrics: metrics, isLeader: { !options.intakeOnly && engine.isLeader },
                                           environment: options.environment)
        let services: [ServiceGroupConfiguration.ServiceConfiguration]
        if options.intakeOnly {
            guard let intake else { throw StepFailure("--intake-only with intake off leaves nothing to run") }
            services = [.init(service: intake)]
        } else {
            services = try Self.services(engine: engine, probes: probes, intake: intake, options: options)
                + [.init(service: BlockingLoopService(name: "opsbrain-preflight") { [registry] in
                      PreflightJob(engine: engine, registry: registry, conninfo: options.conninfo).run(until: $0)
                  }, successTerminationBehavior: .ignore)]
        }
        group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: options.stopsOnSignals ? [.sigterm, .sigint] : [], logger: Logger(label: "opsbrain.process")))
    }

    /// The engine's settings (id, mode, targets).
    public var settings: EngineSettings { engine.settings }

    /// Runs every service until a graceful shutdown (a signal or `shutdown()`) or a service fails.
    public func run() async throws {
        try await group.run()
    }

    /// Asks every service to finish gracefully, in reverse order.
    public func shutdown() async {
        await group.triggerGracefulShutdown()
    }

    private static func services(engine: HealingEngine, probes: ProbeScheduler, intake: HTTPServer?,
                                 options: Options) throws -> [ServiceGroupConfiguration.ServiceConfiguration] {
        let operations = options.operations
        let notifier = EngineAssembly.notifier(operations.notifications, environment: options.environment,
                                               conninfo: options.conninfo, workerID: engine.settings.engineID)
        let scheduler = SchedulerService(conninfo: options.conninfo, settings: operations, timeZone: options.timeZone,
                                         model: NotifyRunners.languageModel(operations.llm, environment: options.environment),
                                         engineID: engine.settings.engineID, isLeader: { engine.isLeader })
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: BlockingLoopService(name: "opsbrain-heartbeat") { engine.heartbeat(until: $0) }),
            .init(service: BlockingLoopService(name: "opsbrain-engine") { try engine.run(until: $0) },
                  successTerminationBehavior: .gracefullyShutdownGroup),
            .init(service: BlockingLoopService(name: "opsbrain-probes") { probes.run(until: $0, isLeader: { engine.isLeader }) },
                  successTerminationBehavior: .ignore),
            .init(service: BlockingLoopService(name: "opsbrain-scheduler") { scheduler.run(until: $0) }),
        ]
        if notifier.hasChannels {
            services.append(.init(service: BlockingLoopService(name: "opsbrain-notifier") { notifier.run(until: $0) }))
        }
        if let intake { services.append(.init(service: intake)) }
        return services
    }
}
