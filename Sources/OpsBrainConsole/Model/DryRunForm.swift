import Foundation
import OpsBrainCore
import OpsBrainPostgres

/// The dry-run view's form: an SOP and an alert (an existing one by id, or one composed here).
public struct DryRunForm: Sendable, Equatable {
    /// The form's fields, in order.
    public enum Field: String, Sendable, CaseIterable {
        case sop, source, alertID, alertType, title, severity, labels, run

        /// The label shown before the field.
        public var label: String {
            switch self {
            case .sop: return "SOP"
            case .source: return "Alert"
            case .alertID: return "Alert id"
            case .alertType: return "Type"
            case .title: return "Title"
            case .severity: return "Severity"
            case .labels: return "Labels"
            case .run: return "[ Run dry run ]"
            }
        }

        /// True for fields edited by typing (the others cycle through choices).
        public var isText: Bool { [.alertID, .alertType, .title, .labels].contains(self) }
    }

    public var sopNames: [String] = []
    public var sopIndex = 0
    public var useExistingAlert = false
    public var alertID = ""
    public var alertType = ""
    public var title = ""
    public var severity: Severity = .high
    /// `key=value` pairs separated by commas.
    public var labels = ""
    public var focus: Field = .sop
    /// What was typed on a choice field to find a choice (ends when the focus moves).
    public var typeAhead = ""
    public var running = false
    public var result: ConsoleExecutionDetail?
    public var error: String?

    public init() {}

    /// The fields shown, in order (the alert id or the composed alert's fields).
    public var fields: [Field] {
        useExistingAlert ? [.sop, .source, .alertID, .run] : [.sop, .source, .alertType, .title, .severity, .labels, .run]
    }

    /// The chosen SOP's name.
    public var sopName: String? { sopNames.indices.contains(sopIndex) ? sopNames[sopIndex] : nil }

    /// The text of a typed field.
    public func text(of field: Field) -> String {
        switch field {
        case .alertID: return alertID
        case .alertType: return alertType
        case .title: return title
        case .labels: return labels
        default: return value(of: field)
        }
    }

    /// Stores the text of a typed field.
    public mutating func setText(_ text: String, of field: Field) {
        switch field {
        case .alertID: alertID = text
        case .alertType: alertType = text
        case .title: title = text
        case .labels: labels = text
        default: break
        }
    }

    /// The value a field shows.
    public func value(of field: Field) -> String {
        switch field {
        case .sop: return sopName ?? "(no SOPs synced)"
        case .source: return useExistingAlert ? "existing alert" : "composed here"
        case .severity: return severity.rawValue
        case .run: return ""
        default: return text(of: field)
        }
    }

    /// Steps a choice field forwards or backwards.
    public mutating func cycle(_ field: Field, by step: Int) {
        switch field {
        case .sop where !sopNames.isEmpty: sopIndex = (sopIndex + step + sopNames.count) % sopNames.count
        case .source: useExistingAlert.toggle()
        case .severity:
            let all = Severity.allCases
            severity = all[(all.firstIndex(of: severity)! + step + all.count) % all.count]
        default: break
        }
    }

    /// Chooses the focused field's first choice that starts with `text`, else the first that contains
    /// it (ignoring case); false when none does, and nothing changes.
    public mutating func search(_ text: String) -> Bool {
        let choices: [String]
        switch focus {
        case .sop: choices = sopNames
        case .severity: choices = Severity.allCases.map(\.rawValue)
        default: return false
        }
        let wanted = text.lowercased()
        guard let index = choices.firstIndex(where: { $0.lowercased().hasPrefix(wanted) })
            ?? choices.firstIndex(where: { $0.lowercased().contains(wanted) }) else { return false }
        typeAhead = text
        if focus == .sop { sopIndex = index } else { severity = Severity.allCases[index] }
        return true
    }

    /// The request to run, or the reason it cannot run yet.
    public func request() -> Result<DryRunRequest, ConsoleMessage> {
        guard let sopName else { return .failure(ConsoleMessage("no SOP to dry-run: sync SOPs first", isError: true)) }
        if useExistingAlert {
            guard let id = UUID(uuidString: alertID.trimmingCharacters(in: .whitespaces)) else {
                return .failure(ConsoleMessage("alert id: paste a full alert id (press d on an alert to fill it in)", isError: true))
            }
            return .success(DryRunRequest(sopName: sopName, alert: .existing(id)))
        }
        var parsed: [String: String] = [:]
        for pair in labels.split(separator: ",") where !pair.trimmingCharacters(in: .whitespaces).isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else {
                return .failure(ConsoleMessage("labels: '\(pair)' is not key=value", isError: true))
            }
            parsed[parts[0]] = parts[1]
        }
        let type = alertType.isEmpty ? "dry_run" : alertType
        return .success(DryRunRequest(sopName: sopName, alert: .composed(
            AlertSnapshot(source: "console-dry-run", alertType: type, title: title.isEmpty ? "Dry run of \(sopName)" : title,
                          severity: severity, labels: parsed))))
    }
}

/// A dry run to start: the SOP and the alert to diagnose.
public struct DryRunRequest: Sendable, Equatable {
    /// An existing alert by id, or one composed in the form.
    public enum AlertChoice: Sendable, Equatable {
        case existing(UUID)
        case composed(AlertSnapshot)
    }

    public var sopName: String
    public var alert: AlertChoice

    public init(sopName: String, alert: AlertChoice) {
        self.sopName = sopName
        self.alert = alert
    }
}
