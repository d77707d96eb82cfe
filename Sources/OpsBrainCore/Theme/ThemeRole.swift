/// A semantic role of a piece of the console screen; themes map roles to colours and attributes.
///
/// The raw value is the role's key in a theme file (`severity.critical`, `dialog.buttonFocus`).
public enum ThemeRole: String, Sendable, CaseIterable, Hashable, Comparable {
    case body, header, title, border, statusBar, keyHint, cursor, muted, changed, error, notice, tab, tabActive
    case severityCritical = "severity.critical"
    case severityHigh = "severity.high"
    case severityMedium = "severity.medium"
    case severityLow = "severity.low"
    case severityInfo = "severity.info"
    case pipelinePending = "pipeline.pending"
    case pipelineDiagnosing = "pipeline.diagnosing"
    case pipelineAwaitingApproval = "pipeline.awaitingApproval"
    case pipelineFixing = "pipeline.fixing"
    case pipelineVerifying = "pipeline.verifying"
    case pipelineRollingBack = "pipeline.rollingBack"
    case pipelineSuccess = "pipeline.success"
    case pipelineFailed = "pipeline.failed"
    case pipelineEscalated = "pipeline.escalated"
    case pipelineRejected = "pipeline.rejected"
    case pipelineRolledBack = "pipeline.rolledBack"
    case pipelineDryRun = "pipeline.dryRun"
    case dialogBody = "dialog.body"
    case dialogButton = "dialog.button"
    case dialogButtonFocus = "dialog.buttonFocus"
    case dialogDanger = "dialog.danger"
    case bannerReadOnly = "banner.readOnly"
    case bannerPaused = "banner.paused"
    case bannerFilter = "banner.filter"

    /// The groups a theme file may nest roles under (`severity: {critical: ...}`).
    public static let groups: Set<String> = ["severity", "pipeline", "dialog", "banner"]

    /// Ordered by key, for stable listings.
    public static func < (lhs: ThemeRole, rhs: ThemeRole) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The role that colours an alert of `severity`.
    public static func severity(_ severity: Severity) -> ThemeRole {
        switch severity {
        case .critical: return .severityCritical
        case .high: return .severityHigh
        case .medium: return .severityMedium
        case .low: return .severityLow
        case .info: return .severityInfo
        }
    }

    /// The role that colours an execution in `status`.
    public static func pipeline(_ status: ExecutionStatus) -> ThemeRole {
        switch status {
        case .pending: return .pipelinePending
        case .diagnosing, .diagnosed: return .pipelineDiagnosing
        case .awaitingApproval: return .pipelineAwaitingApproval
        case .fixing: return .pipelineFixing
        case .verifying: return .pipelineVerifying
        case .rollingBack: return .pipelineRollingBack
        case .success: return .pipelineSuccess
        case .failed: return .pipelineFailed
        case .escalated: return .pipelineEscalated
        case .rejected, .notNeeded, .resolvedByHand: return .pipelineRejected
        case .rolledBack: return .pipelineRolledBack
        case .dryRun: return .pipelineDryRun
        }
    }
}
