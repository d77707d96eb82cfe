import Foundation
import Logging
import OpsBrainCore
import OpsBrainPostgres

/// Runs the built-in monitors (probes) while this engine is the leader.
///
/// One thread watches leadership and the clock; each due probe's check runs on a thread of its
/// own (a slow check never delays the others, and a probe never overlaps itself). Counters live
/// in memory on the leader; on becoming leader, a probe whose alert is firing starts out raised,
/// so a change of leader neither raises twice nor forgets to resolve. Every numeric value of a
/// check is stored as a sample; alerts are raised and resolved through `IntakeRepository.ingest`.
public final class ProbeScheduler: @unchecked Sendable {
    /// One probe's place in the schedule (only while leading).
    struct Slot {
        var tracker: ProbeTracker
        var nextDue: ContinuousClock.Instant
        var inFlight = false
    }

    public let probes: [ProbeDefinition]
    let registry: RunnerRegistry
    let settings: EngineSettings
    let pool: PostgresPool
    let logger = Logger(label: "opsbrain.probes")
    let lock = NSLock()
    /// Guarded by `lock`: the schedule while leading, bumped on every change of leadership.
    var slots: [String: Slot] = [:]
    var epoch = 0
    private var leading = false
    private var stopping = false
    private var started = false
    private let running = DispatchGroup()
    /// The longest the watching thread sleeps, so that stop and leadership changes are seen soon.
    static let longestPause: Duration = .milliseconds(100)
    /// How long to wait before trying again to read the probe alerts after becoming leader failed.
    static let takeOverRetry: Duration = .seconds(1)

    /// A scheduler for `probes`, running checks through `registry` with `settings`' targets and
    /// environment, storing through connections to `conninfo`.
    public init(probes: [ProbeDefinition], registry: RunnerRegistry, settings: EngineSettings, conninfo: String) {
        self.probes = probes
        self.registry = registry
        self.settings = settings
        pool = PostgresPool(conninfo: conninfo, applicationName: "opsbrain-probes", size: 4)
    }

    /// Starts the watching thread; probes run while `isLeader` (`{ engine.isLeader }`) is true.
    /// Does nothing when there are no probes or it already runs.
    public func start(isLeader: @escaping @Sendable () -> Bool) {
        let begin = lock.withLock { () -> Bool in
            guard !probes.isEmpty, !started else { return false }
            started = true
            return true
        }
        guard begin else { return }
        running.enter()
        let thread = Thread { [self] in
            defer { running.leave() }
            watch(isLeader)
        }
        thread.name = "opsbrain-probes"
        thread.start()
    }

    /// Stops scheduling and waits for running checks (at most their longest timeout plus a second);
    /// a check that ends after `stop` stores nothing.
    public func stop() {
        lock.withLock { stopping = true }
        let longest = probes.map(\.check.timeout).max() ?? .zero
        _ = running.wait(timeout: .now() + .milliseconds(Int(longest.components.seconds) * 1000 + 1000))
    }

    var shouldStop: Bool { lock.withLock { stopping } }

    private func watch(_ isLeader: @escaping @Sendable () -> Bool) {
        logger.info("probe scheduler started", metadata: ["probes": "\(probes.count)", "engine": "\(settings.engineID)"])
        var nextTakeOver = ContinuousClock.now
        while !shouldStop {
            if !isLeader() {
                stepDown()
            } else if lock.withLock({ leading }) {
                launchDue(isLeader: isLeader)
            } else if ContinuousClock.now >= nextTakeOver {
                // Without the database the probes wait; try again in a second, not on every turn.
                if takeOver() { launchDue(isLeader: isLeader) } else { nextTakeOver = .now + Self.takeOverRetry }
            }
            Thread.sleep(forTimeInterval: Double(pause().milliseconds) / 1000)
        }
        stepDown()
    }

    /// Becomes the probes' leader: probes whose alert is firing start out raised; all are due now.
    private func takeOver() -> Bool {
        let firing: Set<String>
        do {
            firing = try pool.with { try ProbeRepository(connection: $0).firingProbes() }
        } catch {
            logger.error("cannot read probe alerts; probes wait", metadata: ["error": "\(error)"])
            return false
        }
        let now = ContinuousClock.now
        lock.withLock {
            epoch += 1
            leading = true
            slots = Dictionary(uniqueKeysWithValues: probes.map {
                ($0.name, Slot(tracker: ProbeTracker(probe: $0, raised: firing.contains($0.name)), nextDue: now))
            })
        }
        logger.info("probes running on this engine (leader)", metadata: ["raised": "\(firing.sorted())"])
        return true
    }

    /// Gives up the schedule; checks still running store nothing.
    private func stepDown() {
        lock.withLock {
            guard leading else { return }
            leading = false
            epoch += 1
            slots = [:]
        }
    }

    /// Starts every due probe that is not already running, each on its own thread.
    private func launchDue(isLeader: @escaping @Sendable () -> Bool) {
        let now = ContinuousClock.now
        let due = lock.withLock { () -> [(ProbeDefinition, Int)] in
            probes.compactMap { probe in
                guard var slot = slots[probe.name], !slot.inFlight, slot.nextDue <= now else { return nil }
                slot.inFlight = true
                slot.nextDue = now + probe.period
                slots[probe.name] = slot
                return (probe, epoch)
            }
        }
        for (probe, epoch) in due {
            running.enter()
            let thread = Thread { [self] in
                defer { running.leave() }
                runScheduled(probe, epoch: epoch, isLeader: isLeader)
            }
            thread.name = "opsbrain-probe-\(probe.name)"
            thread.start()
        }
    }

    /// How long to sleep: until the next idle probe is due, between 5 ms and `longestPause`.
    private func pause() -> Duration {
        let now = ContinuousClock.now
        let next = lock.withLock { slots.values.filter { !$0.inFlight }.map(\.nextDue).min() }
        guard let next else { return Self.longestPause }
        return min(Self.longestPause, max(.milliseconds(5), now.duration(to: next)))
    }
}
