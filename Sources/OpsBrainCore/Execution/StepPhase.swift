/// The phase a recorded step ran in.
public enum StepPhase: String, Sendable, CaseIterable {
    case diagnosis
    /// The diagnosis run again when a person approves, to see whether the fix is still needed.
    case recheck
    case fix
    case verification
    case rollback
}

/// How a recorded step run stands.
public enum StepStatus: String, Sendable {
    case started, succeeded, failed, skipped
    case dryRun = "dry_run"
}

/// What a person (or the expiry) decided on an approval request.
public enum ApprovalDecision: String, Sendable {
    case approved, rejected, expired
}
