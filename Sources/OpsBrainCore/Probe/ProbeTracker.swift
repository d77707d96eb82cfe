/// One probe's state: consecutive failures and successes, and whether its alert is raised.
///
/// Kubernetes probe semantics: `failureThreshold` failures in a row raise the alert; once raised,
/// `successThreshold` successes in a row resolve it. A flip of the outcome resets the other
/// counter, so an occasional pass never lets old failures add up (and the other way round).
public struct ProbeTracker: Sendable, Equatable {
    /// What an observation asks the caller to do.
    public enum Action: String, Sendable, Equatable {
        case raise, resolve
    }

    public let failureThreshold: Int
    public let successThreshold: Int
    public private(set) var raised: Bool
    public private(set) var consecutiveFailures = 0
    public private(set) var consecutiveSuccesses = 0

    /// A tracker; `raised` is true when the probe's alert is already firing (a new leader).
    public init(failureThreshold: Int, successThreshold: Int, raised: Bool = false) {
        self.failureThreshold = max(1, failureThreshold)
        self.successThreshold = max(1, successThreshold)
        self.raised = raised
    }

    /// A tracker with the probe's thresholds.
    public init(probe: ProbeDefinition, raised: Bool = false) {
        self.init(failureThreshold: probe.failureThreshold, successThreshold: probe.successThreshold, raised: raised)
    }

    /// Counts one check outcome; returns the action when a threshold is crossed.
    public mutating func observe(passed: Bool) -> Action? {
        if passed {
            consecutiveFailures = 0
            consecutiveSuccesses += 1
            guard raised, consecutiveSuccesses >= successThreshold else { return nil }
            raised = false
            return .resolve
        }
        consecutiveSuccesses = 0
        consecutiveFailures += 1
        guard !raised, consecutiveFailures >= failureThreshold else { return nil }
        raised = true
        return .raise
    }

    /// The state after observing `passed`, and the action, leaving this one unchanged.
    public func observing(passed: Bool) -> (tracker: ProbeTracker, action: Action?) {
        var next = self
        let action = next.observe(passed: passed)
        return (next, action)
    }
}
