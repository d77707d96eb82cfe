/// What the engine does after diagnosis.
public enum Decision: Sendable, Equatable {
    /// Fix unattended; `verifyHard` adds the alert's own check and a final re-check.
    case autoFix(verifyHard: Bool)
    /// Run only the safe (low-risk, reversible) fixes, then escalate (seed: low confidence).
    case safeFixThenEscalate
    case requestApproval
    case escalate
    /// Diagnose-only mode: report, change nothing.
    case diagnoseOnly

    /// The word stored in `self_healing_executions.decision`.
    public var word: String {
        switch self {
        case .autoFix(let hard): return hard ? "auto_fix_verify_hard" : "auto_fix"
        case .safeFixThenEscalate: return "safe_fix_then_escalate"
        case .requestApproval: return "request_approval"
        case .escalate: return "escalate"
        case .diagnoseOnly: return "diagnose_only"
        }
    }

    /// The decision a stored word names; nil for a word no decision has.
    public init?(word: String) {
        let all: [Decision] = [.autoFix(verifyHard: false), .autoFix(verifyHard: true), .safeFixThenEscalate, .requestApproval,
                               .escalate, .diagnoseOnly]
        guard let decision = all.first(where: { $0.word == word }) else { return nil }
        self = decision
    }
}

/// How often one SOP may fix one target before the fix counts as not holding (issue 14, deliverable 5).
public struct RepeatLimit: Sendable, Equatable {
    /// Fixes in the window after which the next one escalates instead (0: no limit).
    public var fixes: Int
    public var windowMinutes: Int

    public init(fixes: Int = 3, windowMinutes: Int = 60) {
        self.fixes = fixes
        self.windowMinutes = windowMinutes
    }

    /// Why the fix does not hold, with its history, when `ages` (minutes since each earlier fix of
    /// this SOP on this target within the window) reach the limit; nil otherwise.
    public func violation(ages: [Double]) -> String? {
        guard fixes > 0, ages.count >= fixes else { return nil }
        let history = ages.sorted().map { "\(Int(max(0, $0))) min" }.joined(separator: ", ")
        return "fix does not hold: fixed \(ages.count) time\(ages.count == 1 ? "" : "s") in the last \(windowMinutes) min (\(history) ago; limit \(fixes)); "
            + "find the cause rather than fix again"
    }
}

/// The rate limits, read inside the claiming transaction so two engines see the same numbers.
public struct LimitState: Sendable, Equatable {
    public var minutesSinceLastFix: Double?
    /// Minutes since each fix of this SOP on this target within the repeat window.
    public var recentFixAges: [Double] = []
    public var repeatLimit = RepeatLimit()
    public var fixesThisHour: Int
    public var globalAutoFixesThisHour: Int
    public var globalBudgetPerHour: Int
    public var consecutiveFailures: Int
    public var circuitBreakerThreshold: Int

    public init(minutesSinceLastFix: Double? = nil, fixesThisHour: Int = 0, globalAutoFixesThisHour: Int = 0,
                globalBudgetPerHour: Int = 20, consecutiveFailures: Int = 0, circuitBreakerThreshold: Int = 3) {
        self.minutesSinceLastFix = minutesSinceLastFix
        self.fixesThisHour = fixesThisHour
        self.globalAutoFixesThisHour = globalAutoFixesThisHour
        self.globalBudgetPerHour = globalBudgetPerHour
        self.consecutiveFailures = consecutiveFailures
        self.circuitBreakerThreshold = circuitBreakerThreshold
    }
}

/// Everything the policy looks at.
public struct DecisionInput: Sendable {
    public var mode: EngineMode
    public var sop: SOPDefinition?
    public var diagnosis: DiagnosisEvaluation?
    public var confidence: Int
    public var limits: LimitState
    public var targets: [String: TargetDefinition]

    public init(mode: EngineMode, sop: SOPDefinition?, diagnosis: DiagnosisEvaluation?, confidence: Int,
                limits: LimitState, targets: [String: TargetDefinition]) {
        self.mode = mode
        self.sop = sop
        self.diagnosis = diagnosis
        self.confidence = confidence
        self.limits = limits
        self.targets = targets
    }
}

/// The seed plan's decision matrix, thresholds by risk, and safety limits, as one pure function.
public enum DecisionPolicy {
    /// Within this many points above the threshold, an auto-fix is verified hard.
    public static let verifyHardBand = 15

    /// Decides, and says why in words a person can act on.
    public static func decide(_ input: DecisionInput) -> (Decision, String) {
        if input.mode == .diagnoseOnly { return (.diagnoseOnly, "engine is in diagnose-only mode") }
        guard let sop = input.sop, let diagnosis = input.diagnosis else {
            return (.escalate, "unknown problem: no SOP matches this alert")
        }
        if let rule = diagnosis.escalations.first { return (.escalate, rule.reason) }
        let fixes = diagnosis.applicableFixes.filter { !$0.operation.isCommunication }
        let escalations = diagnosis.applicableFixes.filter { $0.operation == .escalate }
        if fixes.isEmpty {
            if let step = escalations.first { return (.escalate, step.parameters["reason"]?.stringValue ?? step.name) }
            return (.escalate, noFixReason(diagnosis))
        }
        if let reason = input.limits.repeatLimit.violation(ages: input.limits.recentFixAges) { return (.escalate, reason) }
        if let guarded = fixes.first(where: { $0.effectiveClass(targets: input.targets).isNeverAutoFix || $0.approvalRequired }) {
            let kind = guarded.effectiveClass(targets: input.targets)
            return (.requestApproval, "fix '\(guarded.id)' is \(kind.isNeverAutoFix ? "in the never-auto-fix class '\(kind.rawValue)'" : "marked approval: required")")
        }
        if let reason = approvalReason(sop: sop, mode: input.mode, limits: input.limits) { return (.requestApproval, reason) }
        return confidenceDecision(sop: sop, fixes: fixes, confidence: input.confidence)
    }

    /// Why no fix applies; a step that could not run is named, never passed off as "nothing wrong".
    private static func noFixReason(_ diagnosis: DiagnosisEvaluation) -> String {
        let blind = diagnosis.verdicts.filter { $0.value == .error }.map(\.key).sorted()
        let unobserved = blind.isEmpty ? "" : "; could not run: " + blind.joined(separator: ", ")
            + " (their errors are in the step results; opsbrain sop check finds steps that cannot work here)"
        if diagnosis.findings.isEmpty {
            return (blind.isEmpty ? "diagnosis found nothing wrong: symptom not reproduced" : "the steps that ran found nothing wrong")
                + unobserved
        }
        return "no fix applies to findings: " + diagnosis.findings.joined(separator: ", ") + unobserved
    }

    /// Why a person must approve, naming every rule that applies (nil when none does).
    private static func approvalReason(sop: SOPDefinition, mode: EngineMode, limits: LimitState) -> String? {
        var reasons: [String] = []
        if mode == .approval { reasons.append("engine is in approval mode") }
        if !sop.autoFix { reasons.append("SOP does not allow auto-fix") }
        if sop.requiresApproval { reasons.append("SOP requires approval") }
        if limits.consecutiveFailures >= limits.circuitBreakerThreshold {
            reasons.append("circuit breaker: \(limits.consecutiveFailures) failed runs in a row")
        }
        if sop.cooldownMinutes > 0, let minutes = limits.minutesSinceLastFix, minutes < Double(sop.cooldownMinutes) {
            reasons.append("cooldown: last fix \(Int(max(0, minutes))) min ago (cooldown \(sop.cooldownMinutes) min)")
        }
        if limits.fixesThisHour >= sop.maxExecutionsPerHour {
            reasons.append("hourly cap: \(limits.fixesThisHour) fixes this hour (max \(sop.maxExecutionsPerHour))")
        }
        if limits.globalAutoFixesThisHour >= limits.globalBudgetPerHour {
            reasons.append("global auto-fix budget used up (\(limits.globalBudgetPerHour) per hour)")
        }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }

    /// The threshold comes from the riskiest operation that will run (the seed's threshold table names
    /// operations: cache clear and log rotation low, pool reset medium, service restart high), so an SOP
    /// that may restart but this time only clears a cache needs the confidence a cache clear needs.
    /// An SOP marked `critical` is never fixed unattended, whatever runs (docs/decisions/0003).
    private static func confidenceDecision(sop: SOPDefinition, fixes: [FixOperationSpec], confidence: Int) -> (Decision, String) {
        guard sop.risk != .critical, let risk = fixes.map(\.operation.descriptor.risk).max(), let threshold = risk.autoFixThreshold else {
            return (.requestApproval, "risk is critical: never auto-fixed")
        }
        let operations = Set(fixes.map(\.operation.rawValue)).sorted().joined(separator: ", ")
        if confidence >= threshold {
            let hard = confidence < threshold + verifyHardBand
            return (.autoFix(verifyHard: hard), "confidence \(confidence) ≥ \(threshold) for \(risk.rawValue)-risk \(operations)"
                    + (hard ? " (verify hard)" : ""))
        }
        let safe = fixes.allSatisfy { $0.operation.descriptor.risk == .low && $0.operation.descriptor.canRollBack }
        if safe {
            return (.safeFixThenEscalate, "confidence \(confidence) < \(threshold): safe fixes only, then escalate")
        }
        return (.requestApproval, "confidence \(confidence) < \(threshold) for \(risk.rawValue)-risk \(operations)")
    }
}
