/// How a verification reads, in the audit trail and on the outcome card, from what it found.
///
/// One wording for both, so the card never says "resolved" for a run whose checks failed: a
/// failed verification names what failed, and the alert's note is shown only when it is part of
/// the verdict.
public enum VerificationSummary {
    /// What made a verification fail: the checks that did not pass, then the alert when it did not.
    public static func failures(_ failedChecks: [String], alertCheck: AlertEvidence) -> String {
        describe(failed: failedChecks, alertNote: alertCheck.passes == false ? alertCheck.note : nil)
    }

    /// The card's "Verified" text from a stored `verification_results`, with the run's status.
    public static func text(_ verification: JSONValue?, status: ExecutionStatus) -> String {
        guard let verification else { return status == .verifying ? "in progress" : "-" }
        let attempt = Int(verification["attempt"]?.doubleValue ?? 0)
        let note = verification["alert_check"]?.stringValue ?? ""
        if let waiting = verification["waiting"]?.stringValue, status == .verifying {
            return "waiting (attempt \(attempt)): \(waiting)"
        }
        if verification["passed"]?.boolValue == true { return "yes (attempt \(attempt)): \(note)" }
        let steps = verification["steps"]?.objectValue ?? [:]
        let failed = steps.keys.sorted().filter { steps[$0]?["verdict"]?.stringValue != StepVerdict.passed.rawValue }
        let alertFailed = verification["alert_check_failed"]?.boolValue == true
        return "no (attempt \(attempt)): " + describe(failed: failed, alertNote: alertFailed ? note : nil)
    }

    private static func describe(failed: [String], alertNote: String?) -> String {
        var parts: [String] = []
        if !failed.isEmpty { parts.append("check\(failed.count == 1 ? "" : "s") " + failed.joined(separator: ", ") + " did not pass") }
        if let alertNote { parts.append(alertNote) }
        return parts.isEmpty ? "nothing failed" : parts.joined(separator: "; ")
    }
}
