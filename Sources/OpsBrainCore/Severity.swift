import Foundation

/// How bad a problem is, ordered from `info` to `critical`.
public enum Severity: String, Sendable, CaseIterable, Comparable, Codable {
    case info, low, medium, high, critical

    private var rank: Int { Severity.allCases.firstIndex(of: self)! }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }

    /// Reads a severity the way monitoring tools spell it (`warning`, `crit`, `P1`, ...).
    public static func normalized(_ text: String) -> Severity? {
        let word = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let exact = Severity(rawValue: word) { return exact }
        switch word {
        case "warning", "warn", "minor", "p3": return .medium
        case "error", "major", "p2": return .high
        case "crit", "fatal", "emergency", "page", "p1": return .critical
        case "notice", "debug", "informational", "ok", "none", "p5": return .info
        case "p4": return .low
        default: return nil
        }
    }
}

/// The risk of a fix; it sets the confidence a fix needs before it may run unattended.
public enum RiskLevel: String, Sendable, CaseIterable, Comparable, Codable {
    case low, medium, high, critical

    private var rank: Int { RiskLevel.allCases.firstIndex(of: self)! }

    public static func < (lhs: RiskLevel, rhs: RiskLevel) -> Bool { lhs.rank < rhs.rank }

    /// The confidence (0-100) needed to auto-fix at this risk, or nil when never.
    public var autoFixThreshold: Int? {
        switch self {
        case .low: return 60
        case .medium: return 75
        case .high: return 90
        case .critical: return nil
        }
    }
}
