import Foundation

/// Why a verification looks again later instead of deciding now.
///
/// The SOP's checks and the alert are two witnesses. When the checks pass and the alert's source
/// has not resolved yet, verification waits for the resolve. When the source has resolved and a
/// check still fails, the check is likely lagging (a rate over a window that still holds the
/// errors), so it runs again. Both end at the same bound; past it the verification decides.
public enum VerificationWait: String, Sendable, Equatable {
    case sourceResolve = "resolve"
    case lateChecks = "checks"

    /// The next look, or nil when verification must decide now: nothing to wait for, an
    /// escalation rule holds, or the bound is reached.
    public static func next(checksPassed: Bool, evidence: AlertEvidence, escalation: String?, now: Date, deadline: Date,
                            recheck: Duration) -> (kind: VerificationWait, until: Date)? {
        if checksPassed, case .awaitingResolve(_, let until) = evidence { return (.sourceResolve, until) }
        guard !checksPassed, escalation == nil, evidence.saysResolved, now < deadline else { return nil }
        return (.lateChecks, min(deadline, now.addingTimeInterval(recheck.asSeconds)))
    }

    /// The audit line and the card's waiting text.
    public func note(failedChecks: [String], evidence: AlertEvidence, deadline: Date) -> String {
        switch self {
        case .sourceResolve:
            return "the SOP's checks pass; " + evidence.note
        case .lateChecks:
            return evidence.note + ", but " + failedChecks.joined(separator: ", ") + (failedChecks.count == 1 ? " does" : " do")
                + " not pass yet: looking again until \(AlertEvidence.clock(deadline)) UTC"
        }
    }
}

extension AlertEvidence {
    /// The alert itself says the problem is gone: its source resolved it, or its probe passes again.
    public var saysResolved: Bool {
        switch self {
        case .resolved, .ownCheckPassed: return true
        case .noAlert, .resolvedByHand, .awaitingResolve, .notResolvedInTime, .notReported, .notRequired: return false
        }
    }
}
