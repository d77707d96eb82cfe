/// How one step came out against its expectations.
public enum StepVerdict: String, Sendable, Codable {
    /// Every expectation held.
    case passed
    /// Some expectation did not hold: in diagnosis, a finding.
    case failed
    /// The step could not run.
    case error
}

/// Diagnosis (or verification) results judged against the SOP's expectations.
public struct DiagnosisEvaluation: Sendable, Equatable {
    public var verdicts: [String: StepVerdict]
    public var results: [String: StepResult]
    /// 0-100: how clearly the results point at a known remedy (the seed's "diagnosis clarity").
    public var clarity: Int
    /// The fix steps whose `when` holds, in file order.
    public var applicableFixes: [FixOperationSpec]
    /// Escalation rules that already hold after diagnosis.
    public var escalations: [EscalationRule]

    /// Judges `results` for `steps`; `attempts` and `severity` feed conditions.
    public init(sop: SOPDefinition, steps: [StepSpec], results: [String: StepResult], attempts: Int, severity: Severity) {
        var verdicts: [String: StepVerdict] = [:]
        for step in steps {
            verdicts[step.id] = DiagnosisEvaluation.verdict(step, results[step.id])
        }
        self.verdicts = verdicts
        self.results = results
        let scope = ConditionScope(results: results, verdicts: verdicts, attempts: attempts, severity: severity)
        applicableFixes = sop.fix.filter { $0.when.map { $0.evaluate(scope.resolve) } ?? true }
        escalations = sop.escalateIf.filter { $0.when.evaluate(scope.resolve) }
        clarity = DiagnosisEvaluation.clarity(verdicts: verdicts, sop: sop, applicable: applicableFixes)
    }

    /// True when every step passed.
    public var allPassed: Bool { verdicts.values.allSatisfy { $0 == .passed } }

    /// Steps whose expectation failed (findings), sorted.
    public var findings: [String] { verdicts.filter { $0.value == .failed }.map(\.key).sorted() }

    /// The verdict for one step: error when it could not run, failed when an expectation does not hold.
    public static func verdict(_ step: StepSpec, _ result: StepResult?) -> StepVerdict {
        guard let result, result.error == nil else { return .error }
        for (name, expectation) in step.expect {
            guard let value = result.values[name], expectation.holds(for: value) else { return .failed }
        }
        return .passed
    }

    /// Clarity = 60% for steps that ran + 40% for how well the findings map to a remedy.
    static func clarity(verdicts: [String: StepVerdict], sop: SOPDefinition, applicable: [FixOperationSpec]) -> Int {
        guard !verdicts.isEmpty else { return 0 }
        let ran = Double(verdicts.values.filter { $0 != .error }.count) / Double(verdicts.count)
        let hasFindings = verdicts.values.contains(.failed)
        let conditional = applicable.contains { $0.when != nil }
        let explained: Double = hasFindings ? (conditional || (!applicable.isEmpty && !sop.fix.isEmpty) ? 1.0 : 0.5) : 0.3
        return Int((100 * (0.6 * ran + 0.4 * explained)).rounded())
    }
}

/// Resolves condition references (`step.value`, `step.passed`, `attempts`) over results.
public struct ConditionScope: Sendable {
    public var results: [String: StepResult]
    public var verdicts: [String: StepVerdict]
    public var attempts: Int
    public var severity: Severity

    public init(results: [String: StepResult], verdicts: [String: StepVerdict], attempts: Int, severity: Severity) {
        self.results = results
        self.verdicts = verdicts
        self.attempts = attempts
        self.severity = severity
    }

    public func resolve(_ reference: String) -> JSONValue? {
        if reference == "attempts" { return .number(Double(attempts)) }
        if reference == "severity" { return .string(severity.rawValue) }
        let parts = reference.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        let verdict = verdicts[parts[0]]
        switch parts[1] {
        case "passed": return verdict.map { .bool($0 == .passed) }
        case "failed": return verdict.map { .bool($0 != .passed) }
        case "error": return verdict.map { .bool($0 == .error) }
        default: return results[parts[0]]?.values[parts[1]]
        }
    }
}

extension Expectation {
    /// True when every comparison holds for `value`.
    public func holds(for value: JSONValue) -> Bool {
        comparisons.allSatisfy { $0.holds(for: value) }
    }
}

extension Comparison {
    func holds(for value: JSONValue) -> Bool {
        switch self {
        case .eq(let expected): return ComparisonOperator.equal.apply(value, expected)
        case .ne(let expected): return !ComparisonOperator.equal.apply(value, expected)
        case .lt(let bound): return value.doubleValue.map { $0 < bound } ?? false
        case .lte(let bound): return value.doubleValue.map { $0 <= bound } ?? false
        case .gt(let bound): return value.doubleValue.map { $0 > bound } ?? false
        case .gte(let bound): return value.doubleValue.map { $0 >= bound } ?? false
        case .contains(let text): return (value.stringValue ?? value.jsonText).contains(text)
        case .matches(let pattern): return PatternCache.matches(pattern, value.stringValue ?? value.jsonText)
        case .oneOf(let options): return options.contains { ComparisonOperator.equal.apply(value, $0) }
        }
    }
}
