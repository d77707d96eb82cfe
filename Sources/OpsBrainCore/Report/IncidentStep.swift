import Foundation

/// One step run of an incident's run: a check, a fix, or the undoing of one, with its stored result.
public struct IncidentStep: Sendable, Equatable {
    public var phase: StepPhase
    public var stepID: String
    /// The fix attempt it belongs to (0 for the first diagnosis).
    public var attempt: Int
    public var status: StepStatus
    /// The result as stored (secrets already redacted when it was written): a check's values,
    /// verdict, error and expectations; a fix's summary, details and operation.
    public var result: JSONValue
    public var startedAt: Date
    public var finishedAt: Date?

    public init(phase: StepPhase, stepID: String, attempt: Int, status: StepStatus, result: JSONValue, startedAt: Date,
                finishedAt: Date? = nil) {
        self.phase = phase
        self.stepID = stepID
        self.attempt = attempt
        self.status = status
        self.result = result
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// True for read-only checks (diagnosis, the recheck at approval, verification).
    public var isCheck: Bool { phase != .fix && phase != .rollback }

    /// The check's name as its SOP wrote it, when it was recorded.
    public var name: String? { result["name"]?.stringValue }

    /// How a check came out against its expectations, when it was recorded.
    public var verdict: StepVerdict? { result["verdict"]?.stringValue.flatMap(StepVerdict.init(rawValue:)) }

    /// How long it took, when it finished.
    public var duration: TimeInterval? { finishedAt.map { $0.timeIntervalSince(startedAt) } }

    /// Each value a check yielded, beside its expectation and whether the value met it, sorted by
    /// name. Results recorded without expectations give the values alone.
    public var evidence: [CheckEvidence] { isCheck ? CheckEvidence.list(in: result) : [] }

    /// One line for people: a fix's summary, a check's error, or its evidence; the status when
    /// nothing else was recorded.
    public var summary: String {
        if let text = result["summary"]?.stringValue, !text.isEmpty { return text }
        if let error = result["error"]?.stringValue, !error.isEmpty { return "error: \(error)" }
        let evidence = self.evidence
        if !evidence.isEmpty { return evidence.map(\.text).joined(separator: ", ") }
        return status == .started ? "started, not finished" : status.rawValue
    }

    /// `verification/none_failed #2`: where the step ran, and in which attempt.
    public var label: String { "\(phase.rawValue)/\(stepID) #\(attempt)" }

    /// The verdict of a check, else how the step ended.
    public var outcome: String { verdict?.rawValue ?? status.rawValue }
}

/// One value a check yielded, next to what a healthy system gives.
public struct CheckEvidence: Sendable, Equatable {
    /// The value's name (`failed`, `status`, `used_percent`).
    public var valueName: String
    /// Nil when the check did not yield it.
    public var value: JSONValue?
    /// The expectation in words (`= 0`, `< 500`), when the SOP set one.
    public var expected: String?
    /// Whether the value met the expectation; nil without one.
    public var holds: Bool?

    public init(valueName: String, value: JSONValue?, expected: String? = nil, holds: Bool? = nil) {
        self.valueName = valueName
        self.value = value
        self.expected = expected
        self.holds = holds
    }

    /// Each value of a stored check result beside its expectation, sorted by name (the values alone
    /// for results recorded without expectations).
    public static func list(in result: JSONValue) -> [CheckEvidence] {
        let values = result["values"]?.objectValue ?? [:]
        let expectations = result["expect"]?.objectValue ?? [:]
        return Set(values.keys).union(expectations.keys).sorted().map { valueName in
            CheckEvidence(valueName: valueName, value: values[valueName], expected: expectations[valueName]?["expected"]?.stringValue,
                          holds: expectations[valueName]?["holds"]?.boolValue)
        }
    }

    /// `failed 3 (expected = 0) ✗`, `calls 12`.
    public var text: String {
        var text = valueName + " " + (value.map(Self.show) ?? "(none)")
        if let expected { text += " (expected \(expected))" }
        if let holds { text += holds ? " ✓" : " ✗" }
        return text
    }

    /// A value as it reads in a sentence: strings bare (up to 120 characters), others as JSON.
    static func show(_ value: JSONValue) -> String {
        let text = value.stringValue ?? value.jsonText
        return text.count > 120 ? String(text.prefix(119)) + "…" : text
    }
}
