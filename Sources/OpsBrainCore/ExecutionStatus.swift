/// The state of one SOP execution, using the seed plan's words plus those the design needs.
///
/// Seed path: `diagnosing → awaiting_approval → fixing → verifying → success | failed | escalated`.
public enum ExecutionStatus: String, Sendable, CaseIterable, Codable {
    case pending
    case diagnosing
    case diagnosed
    case awaitingApproval = "awaiting_approval"
    case fixing
    case verifying
    case rollingBack = "rolling_back"
    case success
    case failed
    case escalated
    case rejected
    case rolledBack = "rolled_back"
    case dryRun = "dry_run"
    /// Approved, but the problem had gone by the time the fix would have run: nothing ran.
    case notNeeded = "not_needed"
    /// A person resolved the alert by hand before the fix was verified: the fix ran, but the source
    /// never confirmed it, so the run is neither a success nor a failure in the SOP's statistics.
    case resolvedByHand = "resolved_by_hand"

    /// The finished statuses a person may ask to roll back (when a fix ran and can be undone).
    public static let rollbackable: [ExecutionStatus] = [.success, .escalated, .failed, .resolvedByHand]

    /// True when no further transition can happen.
    public var isTerminal: Bool {
        switch self {
        case .success, .failed, .escalated, .rejected, .rolledBack, .dryRun, .diagnosed, .notNeeded, .resolvedByHand: return true
        default: return false
        }
    }
}

/// How much the engine may do on its own.
public enum EngineMode: String, Sendable, CaseIterable, Codable {
    /// Diagnose and report; never fix.
    case diagnoseOnly = "diagnose_only"
    /// Every fix waits for a human.
    case approval
    /// Fix unattended when policy and confidence allow.
    case auto
}
