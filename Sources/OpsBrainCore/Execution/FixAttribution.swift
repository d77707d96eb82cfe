/// Who let a successful fix run: the engine on its own, or a person who approved it.
///
/// One wording for the CLI's card and the console's, so that a fix a person approved is
/// never counted or shown as auto-fixed.
public enum FixAttribution: Sendable, Equatable {
    case autoFixed
    case fixedWithApproval(by: String)

    /// The attribution of a finished run, nil when it is not a success.
    public init?(status: ExecutionStatus, approvedBy: String?) {
        guard status == .success else { return nil }
        self = approvedBy.map { .fixedWithApproval(by: $0) } ?? .autoFixed
    }

    /// `auto-fixed`, or `fixed with approval by ana`.
    public var phrase: String {
        switch self {
        case .autoFixed: return "auto-fixed"
        case .fixedWithApproval(let person): return "fixed with approval by \(person)"
        }
    }
}
