/// The seed plan's confidence (0-100): 40% SOP success rate, 30% diagnosis clarity,
/// 20% pattern match, 10% environment.
public struct ConfidenceBreakdown: Sendable, Equatable {
    /// Where the success rate comes from.
    public enum SuccessRateSource: String, Sendable, Equatable {
        /// The SOP has run 5 times or fewer: the neutral prior.
        case prior
        /// The SOP's record across every instance it has fixed.
        case history
        /// The alert's own instance, whose record is worse than the SOP's.
        case instance
    }

    public var successRate: Int
    public var successRateSource: SuccessRateSource
    public var diagnosisClarity: Int
    public var patternMatch: Int
    public var environment: Int
    public var environmentNotes: [String]
    public var total: Int

    /// The breakdown as stored with the execution.
    public var json: JSONValue {
        .object([
            "success_rate": .number(Double(successRate)),
            "success_rate_source": .string(successRateSource.rawValue),
            "diagnosis_clarity": .number(Double(diagnosisClarity)),
            "pattern_match": .number(Double(patternMatch)),
            "environment": .number(Double(environment)),
            "environment_notes": .array(environmentNotes.map(JSONValue.string)),
            "total": .number(Double(total)),
            "weights": .object(["success_rate": 40, "diagnosis_clarity": 30, "pattern_match": 20, "environment": 10]
                .mapValues { .number($0) }),
        ])
    }
}

/// How often fixes ended well: executions whose fix finished, and those that reached their goal.
public struct SuccessRecord: Sendable, Equatable {
    public var executed: Int
    public var successful: Int

    public init(executed: Int, successful: Int) {
        self.executed = executed
        self.successful = successful
    }

    /// The success rate in percent (0 with no executions).
    public var rate: Int { executed > 0 ? Int((Double(successful) * 100 / Double(executed)).rounded()) : 0 }
}

/// Facts about the moment of the decision, for the environment factor.
public struct EnvironmentFacts: Sendable, Equatable {
    /// Local hour 0-23.
    public var hourOfDay: Int
    /// Related alerts (same SOP category or instance) firing right now, this one included.
    public var concurrentAlerts: Int
    /// How this SOP's last finished execution ended, if any.
    public var lastOutcomeSucceeded: Bool?

    public init(hourOfDay: Int, concurrentAlerts: Int, lastOutcomeSucceeded: Bool?) {
        self.hourOfDay = hourOfDay
        self.concurrentAlerts = concurrentAlerts
        self.lastOutcomeSucceeded = lastOutcomeSucceeded
    }
}

/// Computes confidence from history, diagnosis, match and environment.
public enum ConfidenceScorer {
    /// The success rate assumed before an SOP has more than 5 executions: a neutral 50%.
    public static let priorSuccessRate = 50
    public static let historyThreshold = 5

    /// Scores one decision. `sop` is the SOP's record across its instances (fixes that ended,
    /// successful ones); `instance`, the alert's own instance's record, which wins when it is worse.
    public static func score(sop: SuccessRecord, instance: SuccessRecord? = nil, clarity: Int, patternMatch: Int,
                             environment facts: EnvironmentFacts) -> ConfidenceBreakdown {
        let (success, source) = successRate(sop: sop, instance: instance)
        let (environment, notes) = environmentScore(facts)
        let total = Int((0.4 * Double(success) + 0.3 * Double(clarity) + 0.2 * Double(patternMatch)
                         + 0.1 * Double(environment)).rounded())
        return ConfidenceBreakdown(successRate: success, successRateSource: source, diagnosisClarity: clarity,
                                   patternMatch: patternMatch, environment: environment, environmentNotes: notes,
                                   total: min(100, max(0, total)))
    }

    /// The SOP's rate once it has run more than 5 times (the prior before), lowered to the
    /// instance's own rate when that instance has fixed worse: a runbook earns trust across the
    /// fleet, and an instance where it keeps failing does not borrow it.
    static func successRate(sop: SuccessRecord, instance: SuccessRecord?) -> (Int, ConfidenceBreakdown.SuccessRateSource) {
        let fleet = sop.executed > historyThreshold ? (sop.rate, ConfidenceBreakdown.SuccessRateSource.history) : (priorSuccessRate, .prior)
        guard let instance, instance.executed > 0, instance.rate < fleet.0 else { return fleet }
        return (instance.rate, .instance)
    }

    /// 100, less 20 at peak hours (09-18, changes hit users), 30 in a related alert storm (>5 firing),
    /// 30 when this SOP's last run failed.
    static func environmentScore(_ facts: EnvironmentFacts) -> (Int, [String]) {
        var score = 100
        var notes: [String] = []
        if (9..<18).contains(facts.hourOfDay) { score -= 20; notes.append("peak hours") }
        if facts.concurrentAlerts > 5 { score -= 30; notes.append("\(facts.concurrentAlerts) related alerts firing") }
        if facts.lastOutcomeSucceeded == false { score -= 30; notes.append("last run failed") }
        if facts.lastOutcomeSucceeded == true { notes.append("last run succeeded") }
        return (max(0, score), notes)
    }
}
