/// What kind of change an operation makes; some kinds are never made without a human.
public enum OperationClass: String, Sendable, CaseIterable, Codable, Comparable {
    /// Ordinary operational change (restart, clear, retry, rotate).
    case routine
    case billing
    case userDataDeletion = "user_data_deletion"
    case securityAuth = "security_auth"
    case schema
    case deploy
    /// Environment variable and credential changes.
    case credentials
    case productionData = "production_data"

    /// True for the classes the seed plan forbids to auto-fix; enforced by policy, not by files.
    public var isNeverAutoFix: Bool { self != .routine }

    public static func < (lhs: OperationClass, rhs: OperationClass) -> Bool {
        !lhs.isNeverAutoFix && rhs.isNeverAutoFix
    }
}
