/// The seed plan's confidence (0-100): 40% SOP success rate, 30% diagnosis clarity,
/// 20% pattern match, 10% environment.
public struct ConfidenceBreakdown: Sendable, Equatable {
    public var successRate: Int
    /// True when the SOP has run more than 5 times; otherwise `successRate` is the prior.
    public var successRateIsHistorical: Bool
    public var diagnosisClarity: Int
    public var patternMatch: Int
    public var environment: Int
    public var environmentNotes: [String]
    public var total: Int

    /// The breakdown as stored with the execution.
    public var json: JSONValue {
        .object([
            "success_rate": .number(Double(successRate)),
            "success_rate_source": .string(successRateIsHistorical ? "history" : "prior"),
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

    public static func score(timesExecuted: Int, timesSuccessful: Int, clarity: Int, patternMatch: Int,
                             environment facts: EnvironmentFacts) -> ConfidenceBreakdown {
        let historical = timesExecuted > historyThreshold
        let success = historical ? Int((Double(timesSuccessful) * 100 / Double(timesExecuted)).rounded()) : priorSuccessRate
        let (environment, notes) = environmentScore(facts)
        let total = Int((0.4 * Double(success) + 0.3 * Double(clarity) + 0.2 * Double(patternMatch)
                         + 0.1 * Double(environment)).rounded())
        return ConfidenceBreakdown(successRate: success, successRateIsHistorical: historical, diagnosisClarity: clarity,
                                   patternMatch: patternMatch, environment: environment, environmentNotes: notes,
                                   total: min(100, max(0, total)))
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
