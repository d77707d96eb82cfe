import Foundation
import OpsBrainCore

/// What a person asked to do about an alert from the Alerts view, captured at key-press.
public struct AlertActionRequest: Sendable, Equatable {
    /// The action and what it needs.
    public enum Kind: Sendable, Equatable {
        case acknowledge
        case snooze(Duration)
        case silence(Duration)
        case resolve(reason: String)
    }

    public var alertID: UUID
    public var title: String
    public var kind: Kind

    public init(alertID: UUID, title: String, kind: Kind) {
        self.alertID = alertID
        self.title = title
        self.kind = kind
    }

    /// The past tense for the message once done (`snoozed for 1h`).
    public var done: String {
        switch kind {
        case .acknowledge: return "acknowledged"
        case .snooze(let duration): return "snoozed for \(DurationSyntax.format(duration))"
        case .silence(let duration): return "silenced at its Alertmanager for \(DurationSyntax.format(duration))"
        case .resolve: return "resolved by hand"
        }
    }
}

/// The prompt an alert action asks with before it runs: a duration, or a reason.
public struct AlertActionPrompt: Sendable, Equatable {
    public enum Need: Sendable, Equatable { case snoozeDuration, silenceDuration, resolveReason }

    public var need: Need
    public var alertID: UUID
    public var title: String

    public init(need: Need, alertID: UUID, title: String) {
        self.need = need
        self.alertID = alertID
        self.title = title
    }

    /// The prompt's label.
    public var label: String {
        let short = String(alertID.uuidString.lowercased().prefix(8))
        switch need {
        case .snoozeDuration: return "snooze \(short) for (30m, 2h, 1d; Enter): "
        case .silenceDuration: return "silence \(short) at its Alertmanager for (2h, 1d; Enter): "
        case .resolveReason: return "reason to resolve \(short) by hand (Enter): "
        }
    }

    /// The request the typed text makes, or what is wrong with it.
    public func request(_ text: String) -> Result<AlertActionRequest, ConsoleMessage> {
        do {
            let kind: AlertActionRequest.Kind
            switch need {
            case .snoozeDuration: kind = .snooze(try AlertAction.duration(text))
            case .silenceDuration: kind = .silence(try AlertAction.duration(text))
            case .resolveReason: kind = .resolve(reason: try AlertAction.reason(text))
            }
            return .success(AlertActionRequest(alertID: alertID, title: title, kind: kind))
        } catch {
            return .failure(ConsoleMessage("\(error); nothing was changed", isError: true))
        }
    }
}
