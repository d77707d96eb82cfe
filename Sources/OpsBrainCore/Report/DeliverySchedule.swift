/// When a delivery is tried again, from its outcome and how often it was tried.
public enum DeliverySchedule {
    /// Retries without a service-given wait back off from 5 s to at most 15 minutes.
    public static let backoff = Backoff(base: .seconds(5), cap: .seconds(900))

    /// What happens to a delivery after an attempt.
    public enum Next: Sendable, Equatable {
        case sent
        /// Try again after this long.
        case retry(after: Duration)
        /// Stop; `reason` explains (the service refused, or the attempts ran out).
        case failed(reason: String)
    }

    /// The next step after attempt number `attempt` (1-based) of at most `maxAttempts`; `jitter` in [0, 1).
    public static func next(after outcome: DeliveryOutcome, attempt: Int, maxAttempts: Int, jitter: Double) -> Next {
        switch outcome.verdict {
        case .delivered: return .sent
        case .failed: return .failed(reason: outcome.detail)
        case .retry(let serviceWait):
            guard attempt < maxAttempts else { return .failed(reason: "gave up after \(attempt) attempts: \(outcome.detail)") }
            let computed = backoff.delay(attempt: attempt, jitter: jitter)
            return .retry(after: serviceWait.map { max($0, .seconds(1)) } ?? computed)
        }
    }
}
