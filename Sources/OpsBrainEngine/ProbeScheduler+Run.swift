import Foundation
import OpsBrainCore
import OpsBrainPlatform
import OpsBrainPostgres

extension ProbeScheduler {
    /// Runs `probe`'s check once now and says whether it passed; nil for an unknown probe.
    ///
    /// For verification: it stores nothing and leaves the counters alone (the scheduled runs
    /// raise and resolve), so it may run on any engine, leader or not.
    public func rerun(probe name: String) -> Bool? {
        guard let probe = probes.first(where: { $0.name == name }) else { return nil }
        return observe(probe).passed
    }

    /// Runs `probe`'s check and judges the result.
    func observe(_ probe: ProbeDefinition) -> ProbeObservation {
        var labels = probe.alert.labels
        labels["probe"] = probe.name
        let alert = AlertSnapshot(source: "probe", alertType: probe.alert.type, title: probe.alert.title,
                                  severity: probe.alert.severity, labels: labels, fingerprint: probe.fingerprint)
        let context = StepContext(executionID: UUID(), alert: alert, targets: settings.targets, environment: settings.environment)
        var result = registry.run(probe.check, context: context)
        let redactor = settings.redactor
        result.values = result.values.mapValues { redactor.redact($0) }
        result.error = result.error.map { redactor.redact($0) }
        return ProbeObservation(definition: probe, result: result, at: Date())
    }

    /// One scheduled run: check, count, store the samples and raise or resolve the alert.
    ///
    /// The counters move on only once the store has taken the run, so a run the database missed
    /// is counted again by the next one. A run from an earlier leadership stores nothing.
    func runScheduled(_ probe: ProbeDefinition, epoch started: Int, stop: StopSignal, isLeader: @Sendable () -> Bool) {
        let observation = observe(probe)
        defer { finish(probe, epoch: started) }
        let step = schedule.withLock { current -> (tracker: ProbeTracker, action: ProbeTracker.Action?)? in
            guard current.epoch == started, let slot = current.slots[probe.name] else { return nil }
            return slot.tracker.observing(passed: observation.passed)
        }
        guard let step, !stop.isSet, isLeader() else { return }
        let action: ProbeTracker.Action?
        do {
            action = try pool.with { connection in
                let repository = ProbeRepository(connection: connection)
                try repository.insert(observation.samples(for: probe))
                let action = try step.action ?? reraise(probe, step.tracker, observation, repository)
                if let action {
                    let alert = observation.alert(action, definition: probe, consecutiveFailures: step.tracker.consecutiveFailures)
                    // A recovery closes what an escalation of its alert paged, as a webhook's resolve does.
                    _ = try IntakeRepository(connection: connection, onResolved: { try NotifierEvents.enqueueResolved(alertID: $0, in: $1) })
                        .ingest([alert])
                }
                return action
            }
        } catch {
            logger.error("probe results not stored", metadata: ["probe": "\(probe.name)", "error": "\(settings.redactor.redact("\(error)"))"])
            return
        }
        if let action {
            logger.notice("probe \(action == .raise ? "raised" : "resolved") its alert",
                          metadata: ["probe": "\(probe.name)", "verdict": "\(observation.verdict.rawValue)"])
        }
        schedule.withLock { current in
            if current.epoch == started { current.slots[probe.name]?.tracker = step.tracker }
        }
    }

    /// `.raise` when the alert is raised but someone else resolved it while the check still fails
    /// (by hand, or a webhook with the same fingerprint): the problem is still there.
    private func reraise(_ probe: ProbeDefinition, _ tracker: ProbeTracker, _ observation: ProbeObservation,
                         _ repository: ProbeRepository) throws -> ProbeTracker.Action? {
        guard tracker.raised, !observation.passed else { return nil }
        let status = try repository.latestAlertStatus(probe: probe.name)
        return status == nil || status == "resolved" ? .raise : nil
    }

    private func finish(_ probe: ProbeDefinition, epoch started: Int) {
        schedule.withLock { current in
            if current.epoch == started { current.slots[probe.name]?.inFlight = false }
        }
    }
}
