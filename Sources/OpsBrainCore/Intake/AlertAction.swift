import Foundation

/// What a person can do about an alert from the console or the CLI, each audited under its own kind.
public enum AlertAction: String, Sendable, CaseIterable {
    /// Someone is on it: who and when, shown to every console.
    case acknowledge
    /// Out of the firing count until a time; it counts again by itself when that passes.
    case snooze
    /// Closed by hand, with the reason why.
    case resolve
    /// Silenced at its Alertmanager until a time (an Alertmanager silence).
    case silence

    /// The `kind` of the audit row the action writes.
    public var auditKind: String {
        switch self {
        case .acknowledge: return "alert_acknowledged"
        case .snooze: return "alert_snoozed"
        case .resolve: return "alert_resolved_by_hand"
        case .silence: return "alert_silenced"
        }
    }

    /// The longest snooze or silence a person may ask for.
    public static let longestDuration: Duration = .seconds(30 * 86_400)

    /// Reads how long a snooze or silence lasts: a whole number and s, m, h or d (`30s`, `15m`, `2h`, `1d`),
    /// from 1 s up to 30 d; anything else is an error naming what was given.
    public static func duration(_ text: String) throws -> Duration {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        let unit = trimmed.dropFirst(digits.count)
        let scale: Int64? = switch unit {
        case "s": 1
        case "m": 60
        case "h": 3600
        case "d": 86_400
        default: nil
        }
        guard !digits.isEmpty, digits.count <= 9, let amount = Int64(digits), let scale else {
            throw AlertActionInputError("'\(text)' is not a duration: use a whole number and s, m, h or d (like 30s, 15m, 2h, 1d)")
        }
        let duration = Duration.seconds(amount * scale)
        guard duration > .zero, duration <= longestDuration else {
            throw AlertActionInputError("'\(text)' is out of range: from 1s up to 30d")
        }
        return duration
    }

    /// The reason a hand resolve records, trimmed; an empty one is an error.
    public static func reason(_ text: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw AlertActionInputError("a reason is required to resolve an alert by hand") }
        return trimmed
    }
}

/// Input to an alert action that cannot be used, in words naming what was wrong.
public struct AlertActionInputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
