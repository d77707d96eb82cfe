/// A proposed SOP improvement, found in the execution statistics, stored for a person to review.
/// Suggestions never change an SOP file.
public struct SOPSuggestion: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// One fix step fails again and again.
        case failingStep = "failing_step"
        /// Several failures share the same reason.
        case repeatedFailure = "repeated_failure"
        /// A diagnosis result that shows up before failures and rarely before successes.
        case precursor
        /// The newest version succeeds clearly less often than the one before.
        case versionRegression = "version_regression"
        /// The SOP fails more often than it works.
        case lowSuccess = "low_success"
    }

    public var kind: Kind
    public var sopName: String
    public var sopVersion: Int?
    /// What the suggestion is about within the SOP (a step, a reason, a signal, a version).
    public var subject: String
    public var title: String
    public var detail: String
    public var evidence: JSONValue
    /// The LLM's note, when the assist enriched it.
    public var llmNote: String?

    public init(kind: Kind, sopName: String, sopVersion: Int? = nil, subject: String, title: String, detail: String,
                evidence: JSONValue, llmNote: String? = nil) {
        self.kind = kind
        self.sopName = sopName
        self.sopVersion = sopVersion
        self.subject = subject
        self.title = title
        self.detail = detail
        self.evidence = evidence
        self.llmNote = llmNote
    }

    /// Unique per SOP, kind and subject: a week's analysis never stores the same suggestion twice.
    public var key: String { "\(sopName):\(kind.rawValue):\(subject)" }
}
