import Foundation
import Logging
import OpsBrainCore
import OpsBrainPlatform
import OpsBrainPostgres
import Synchronization

/// The healing engine: claims alerts and due executions and carries them through the pipeline.
///
/// Two loops, each a service of the engine process: `run(until:)` claims the work and hands each
/// run to one of `engine.concurrency` workers, and `heartbeat(until:)` keeps this engine alive and
/// leading. Several engines may share one database: claims use `FOR UPDATE SKIP LOCKED` and hold
/// for as long as the engine lives (docs/claims.md), limits are checked under row locks, fixes
/// take a lock per target, and the leader (advisory lock) runs the singletons.
public final class HealingEngine: Sendable {
    public let settings: EngineSettings
    private let conninfo: String
    private let registry: RunnerRegistry
    private let logger = Logger(label: "opsbrain.engine")
    private let leader = Mutex(false)
    private let workers: ExecutionWorkers

    public init(conninfo: String, settings: EngineSettings, registry: RunnerRegistry) {
        self.conninfo = conninfo
        self.settings = settings
        self.registry = registry
        workers = ExecutionWorkers(conninfo: conninfo, size: settings.concurrency)
    }

    /// True while this engine holds the leader lock.
    public var isLeader: Bool { leader.withLock { $0 } }

    /// The work loop, until `stop` is set: registers the engine, then claims and advances work.
    public func run(until stop: StopSignal) throws {
        if !registry.missing.isEmpty {
            logger.warning("no runner or driver registered for some types", metadata: ["types": "\(registry.missing.joined(separator: ", "))"])
        }
        let connection = try PostgresConnection(conninfo: conninfo, applicationName: "opsbrain-engine")
        defer { connection.close() }
        let registryStore = EngineRegistry(connection: connection)
        try reapDeadLocalEngines(registryStore)
        try registryStore.register(engineID: settings.engineID, hostname: ProcessInfo.processInfo.hostName,
                                   pid: ProcessInfo.processInfo.processIdentifier, version: "0.1.0", mode: settings.mode)
        try connection.listen("opsbrain_events")
        logger.info("engine started", metadata: ["engine": "\(settings.engineID)", "mode": "\(settings.mode.rawValue)"])
        var catalog = try SOPCatalog.load(connection, settings: settings)
        while !stop.isSet {
            do {
                try intake(connection, catalog: catalog)
                let claimed = try dispatch(connection, catalog: catalog)
                // A full pool with work left: look again as soon as a worker is free.
                if claimed > 0, !workers.hasFreeWorker {
                    workers.awaitFinish(timeout: settings.pollInterval)
                    continue
                }
                if case .notifications(let notes) = try connection.waitForNotifications(timeout: settings.pollInterval),
                   notes.contains(where: { $0.payload.hasPrefix("sop:") }) {
                    catalog = try SOPCatalog.load(connection, settings: settings)
                }
            } catch {
                logger.error("engine pass failed", metadata: ["error": "\(error)"])
                stop.wait(.seconds(1))
                // Whatever this engine's loop had claimed when the pass broke (a lost connection), it
                // gives up as soon as the database answers again, rather than when a lease runs out.
                try? registryStore.releaseClaims(engineID: settings.engineID, keeping: workers.inFlight)
            }
        }
        workers.drain()
        try? registryStore.releaseClaims(engineID: settings.engineID)
        try? registryStore.markStopped(engineID: settings.engineID)
        logger.info("engine stopped", metadata: ["engine": "\(settings.engineID)"])
    }

    /// One pass to the end: opens executions for new alerts, then advances everything that is due
    /// (on the workers, side by side) until nothing is due and every worker is done. Returns how
    /// many times it handed a run to a worker.
    @discardableResult
    public func pass(_ connection: PostgresConnection, catalog: SOPCatalog, until stop: StopSignal = StopSignal()) throws -> Int {
        try intake(connection, catalog: catalog)
        var advanced = 0
        while !stop.isSet {
            let claimed = try dispatch(connection, catalog: catalog)
            advanced += claimed
            if claimed == 0, workers.isIdle { break }
            workers.awaitFinish(timeout: .milliseconds(50))
        }
        workers.drain()
        return advanced
    }

    /// Claims new alerts and opens (or joins) their executions.
    private func intake(_ connection: PostgresConnection, catalog: SOPCatalog) throws {
        let repository = ExecutionRepository(connection: connection)
        let intake = AlertIntake(repository: repository, settings: settings, catalog: catalog)
        for alert in try repository.claimAlerts(engineID: settings.engineID, limit: 50, leaseSeconds: 60) {
            try intake.handle(alert)
        }
    }

    /// Claims due runs while a worker is free and starts each on one; returns how many it started.
    private func dispatch(_ connection: PostgresConnection, catalog: SOPCatalog) throws -> Int {
        let repository = ExecutionRepository(connection: connection)
        var started = 0
        while workers.hasFreeWorker,
              let record = try repository.claimRunnable(engineID: settings.engineID, leaseSeconds: settings.leaseSeconds,
                                                        excluding: workers.inFlight) {
            workers.start(record.id, work: { [self] connection in
                try advance(record, on: connection, catalog: catalog)
            }, onError: { [self] error in
                logger.error("execution step failed", metadata: ["execution": "\(record.id)",
                                                                 "error": "\(settings.redactor.redact("\(error)"))"])
            })
            started += 1
        }
        return started
    }

    /// Advances one claimed run on a worker's connection, then gives the claim up. Its transitions
    /// are fenced: they apply only while this engine still holds the claim.
    private func advance(_ record: ExecutionRecord, on connection: PostgresConnection, catalog: SOPCatalog) throws {
        var repository = ExecutionRepository(connection: connection)
        repository.claimHolder = settings.engineID
        // A target lock that failed to unlock must not go back to the pool with the connection.
        defer { _ = try? connection.query("SELECT pg_advisory_unlock_all()") }
        let runner = ExecutionRunner(repository: repository, registry: registry, settings: settings, catalog: catalog)
        do {
            try runner.process(record)
            try repository.releaseClaim(record.id, engineID: settings.engineID)
        } catch {
            try? repository.releaseClaim(record.id, engineID: settings.engineID, retryAt: Date().addingTimeInterval(30))
            throw error
        }
    }

    /// The heartbeat loop, until `stop` is set: renews this engine's liveness and tries for leadership.
    ///
    /// A lost connection is made again on the next beat; until then this engine does not lead.
    public func heartbeat(until stop: StopSignal) {
        var connection: PostgresConnection?
        while !stop.isSet {
            if connection == nil {
                connection = try? PostgresConnection(conninfo: conninfo, applicationName: "opsbrain-heartbeat")
                if connection == nil { logger.error("heartbeat connection failed; retrying at the next beat") }
            }
            let store = connection.map(EngineRegistry.init(connection:))
            let held = (try? store?.tryLeadership()) ?? false
            leader.withLock { $0 = held }
            try? store?.heartbeat(engineID: settings.engineID, isLeader: held)
            stop.wait(settings.heartbeatInterval)
        }
        leader.withLock { $0 = false }
        connection?.close()
    }

    /// Engines on this host whose process is gone are marked stopped, so their work moves on at once.
    private func reapDeadLocalEngines(_ store: EngineRegistry) throws {
        for engine in try store.runningEngines(on: ProcessInfo.processInfo.hostName)
        where engine.pid > 0 && kill(pid_t(engine.pid), 0) != 0 && errno == ESRCH {
            try store.markStopped(engineID: engine.engineID)
            logger.notice("took over from a dead engine", metadata: ["engine": "\(engine.engineID)"])
        }
    }
}
