import Foundation
import OpsBrainPostgres

/// The execution a dangerous action is about, copied at key-press so the dialog shows exactly
/// what will be acted on, however the lists change meanwhile.
public struct ActionTarget: Sendable, Equatable {
    public var executionID: UUID
    public var sopName: String
    public var alertTitle: String
    public var status: String
    public var risk: String?
    public var confidence: Int?
    /// The operations as they would run (approvals), one line each.
    public var operations: [String]

    public init(executionID: UUID, sopName: String, alertTitle: String, status: String, risk: String? = nil, confidence: Int? = nil,
                operations: [String] = []) {
        self.executionID = executionID
        self.sopName = sopName
        self.alertTitle = alertTitle
        self.status = status
        self.risk = risk
        self.confidence = confidence
        self.operations = operations
    }

    /// The target of an approval row.
    public init(_ approval: ConsoleApproval) {
        self.init(executionID: approval.executionID, sopName: approval.sopName ?? approval.summary["sop"]?.stringValue ?? "?",
                  alertTitle: approval.alertTitle ?? "(no alert)", status: "awaiting_approval", risk: approval.risk,
                  confidence: approval.confidence,
                  operations: approval.operations.map { "\($0["id"]?.stringValue ?? "?"): \($0["plan"]?.stringValue ?? "")" })
    }

    /// The target of an execution row, with the planned operations when its detail is loaded.
    public init(_ execution: ConsoleExecution, detail: ConsoleExecutionDetail?) {
        let summary = detail?.execution.id == execution.id ? detail?.approval?.summary : nil
        self.init(executionID: execution.id, sopName: execution.sopName ?? "?", alertTitle: execution.alertTitle ?? "(no alert)",
                  status: execution.status, risk: summary?["risk"]?.stringValue, confidence: execution.confidence,
                  operations: (summary?["operations"]?.arrayValue ?? []).map {
                      "\($0["id"]?.stringValue ?? "?"): \($0["plan"]?.stringValue ?? "")"
                  })
    }

    /// The first eight characters of the id, as lists show it.
    public var shortID: String { String(executionID.uuidString.lowercased().prefix(8)) }
}

/// A confirmation dialog for a dangerous action: Cancel is focused until the user moves focus.
public struct ConfirmDialog: Sendable, Equatable {
    /// Which action the dialog confirms.
    public enum Kind: Sendable, Equatable {
        case approve
        case reject(reason: String)
        case rollback
    }

    /// The focused button.
    public enum Focus: Sendable, Equatable { case cancel, confirm }

    public var kind: Kind
    public var target: ActionTarget
    public var focus: Focus = .cancel
    /// What has been typed, for the dialogs that want a typed confirmation (rollback).
    public var typed = ""

    public init(kind: Kind, target: ActionTarget) {
        self.kind = kind
        self.target = target
    }

    /// The word that must be typed before the action runs, if any: `rollback` for a rollback, and
    /// for the approval of a high-risk fix (or one whose risk is not known) `approve` or the SOP's name.
    public var typedConfirmation: String? {
        switch kind {
        case .rollback: return "rollback"
        case .approve: return ["low", "medium"].contains(target.risk ?? "") ? nil : "approve"
        case .reject: return nil
        }
    }

    /// True when `typed` confirms: the word, or for an approval also the SOP's name.
    public func isConfirmed(by typed: String) -> Bool {
        typed == typedConfirmation || (kind == .approve && typedConfirmation != nil && target.sopName != "?" && typed == target.sopName)
    }

    /// How the dialog asks for the typed word.
    public var typedPrompt: String? {
        guard let word = typedConfirmation else { return nil }
        return kind == .approve ? "type '\(target.sopName)' or '\(word)'" : "type '\(word)'"
    }

    /// The verb on the confirm button.
    public var verb: String {
        switch kind {
        case .approve: return "Approve"
        case .reject: return "Reject"
        case .rollback: return "Roll back"
        }
    }
}

/// A one-line prompt at the bottom of the screen.
public enum Prompt: Sendable, Equatable {
    case filter(text: String)
    case command(text: String, historyIndex: Int?)
    case reason(text: String, target: ActionTarget)
    case field(text: String)
    /// A snooze or silence duration, or a hand-resolve reason, for an alert.
    case alertAction(text: String, AlertActionPrompt)
}

/// A line of feedback at the bottom of the screen until the next key.
public struct ConsoleMessage: Error, Sendable, Equatable {
    public var text: String
    public var isError: Bool

    public init(_ text: String, isError: Bool = false) {
        self.text = text
        self.isError = isError
    }
}
