import Foundation
import Logging
import OpsBrainCore
import OpsBrainPlatform
import OpsBrainPostgres
import Synchronization

/// Runs the built-in monitors (probes) while this engine is the leader.
///
/// One loop watches leadership and the clock; each due probe's check runs on a thread of its
/// own (a slow check never delays the others, and a probe never overlaps itself). Counters live
/// in memory on the leader; on becoming leader, a probe whose alert is firing starts out raised,
/// so a change of leader neither raises twice nor forgets to resolve. Every numeric value of a
/// check is stored as a sample; alerts are raised and resolved through `IntakeRepository.ingest`.
public final class ProbeScheduler: Sendable {
    /// One probe's place in the schedule (only while leading).
    struct Slot {
        var tracker: ProbeTracker
        var nextDue: ContinuousClock.Instant
        var inFlight = false
    }

    /// What the watch loop and the probe threads share.
    struct Schedule {
        var slots: [String: Slot] = [:]
        /// Moves on with every change of leadership, so a run from an earlier one stores nothing.
        var epoch = 0
        var leading = false
    }

    public let probes: [ProbeDefinition]
    let registry: RunnerRegistry
    let settings: EngineSettings
    let pool: PostgresPool
    let logger = Logger(label: "opsbrain.probes")
    let schedule = Mutex(Schedule())
    private let running = DispatchGroup()
    static let longestPause: Duration = .milliseconds(100)
    static let takeOverRetry: Duration = .seconds(1)

    public init(probes: [ProbeDefinition], registry: RunnerRegistry, settings: EngineSettings, conninfo: String) {
        self.probes = probes
        self.registry = registry
        self.settings = settings
        pool = PostgresPool(conninfo: conninfo, applicationName: "opsbrain-probes", size: 4)
    }

    /// The watch loop, until `stop` is set: runs due probes while `isLeader()`, then waits for the
    /// checks still running (each is bounded by its own timeout).
    public func run(until stop: StopSignal, isLeader: @escaping @Sendable () -> Bool) {
        guard !probes.isEmpty else { return }
        logger.info("probe scheduler started", metadata: ["probes": "\(probes.count)", "engine": "\(settings.engineID)"])
        var nextTakeOver = ContinuousClock.now
        while !stop.isSet {
            if !isLeader() {
                stepDown()
            } else if schedule.withLock({ $0.leading }) {
                launchDue(stop, isLeader: isLeader)
            } else if ContinuousClock.now >= nextTakeOver {
                // Without the database the probes wait; try again in a second, not on every turn.
                if takeOver() { launchDue(stop, isLeader: isLeader) } else { nextTakeOver = .now + Self.takeOverRetry }
            }
            stop.wait(pause())
        }
        stepDown()
        running.wait()
    }

    private func takeOver() -> Bool {
        let firing: Set<String>
        do {
            firing = try pool.with { try ProbeRepository(connection: $0).firingProbes() }
        } catch {
            logger.error("cannot read probe alerts; probes wait", metadata: ["error": "\(error)"])
            return false
        }
        let now = ContinuousClock.now
        schedule.withLock { current in
            current.epoch += 1
            current.leading = true
            current.slots = Dictionary(uniqueKeysWithValues: probes.map {
                ($0.name, Slot(tracker: ProbeTracker(probe: $0, raised: firing.contains($0.name)), nextDue: now))
            })
        }
        logger.info("probes running on this engine (leader)", metadata: ["raised": "\(firing.sorted())"])
        return true
    }

    private func stepDown() {
        schedule.withLock { current in
            guard current.leading else { return }
            current.leading = false
            current.epoch += 1
            current.slots = [:]
        }
    }

    private func launchDue(_ stop: StopSignal, isLeader: @escaping @Sendable () -> Bool) {
        let now = ContinuousClock.now
        let due = schedule.withLock { current -> [(ProbeDefinition, Int)] in
            probes.compactMap { probe in
                guard var slot = current.slots[probe.name], !slot.inFlight, slot.nextDue <= now else { return nil }
                slot.inFlight = true
                slot.nextDue = now + probe.period
                current.slots[probe.name] = slot
                return (probe, current.epoch)
            }
        }
        for (probe, epoch) in due {
            running.enter()
            let thread = Thread { [self] in
                defer { running.leave() }
                runScheduled(probe, epoch: epoch, stop: stop, isLeader: isLeader)
            }
            thread.name = "opsbrain-probe-\(probe.name)"
            thread.start()
        }
    }

    private func pause() -> Duration {
        let now = ContinuousClock.now
        let next = schedule.withLock { $0.slots.values.filter { !$0.inFlight }.map(\.nextDue).min() }
        guard let next else { return Self.longestPause }
        return min(Self.longestPause, max(.milliseconds(5), now.duration(to: next)))
    }
}
