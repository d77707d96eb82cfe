import Foundation

/// The raw fields of an alert row, as any source may have written them.
public struct RawAlert: Sendable {
    public var alertType: String?
    public var title: String?
    public var severity: String?
    public var evidenceText: String?

    public init(alertType: String?, title: String?, severity: String?, evidenceText: String?) {
        self.alertType = alertType
        self.title = title
        self.severity = severity
        self.evidenceText = evidenceText
    }
}

/// An alert made fit for the engine, or the reason it cannot be.
public enum NormalizedAlert: Sendable, Equatable {
    case accepted(alertType: String, title: String, severity: Severity, notes: [String], evidenceReplacement: JSONValue?)
    case rejected(reason: String)
}

/// Normalizes alerts from any source: missing title, unknown severity words, oversized evidence.
public enum AlertNormalizer {
    /// Evidence larger than this is replaced by a summary with a preview.
    public static let maxEvidenceBytes = 64 * 1024

    public static func normalize(_ raw: RawAlert) -> NormalizedAlert {
        guard let type = raw.alertType?.trimmingCharacters(in: .whitespaces), !type.isEmpty else {
            return .rejected(reason: "alert_type is missing")
        }
        var notes: [String] = []
        var title = raw.title?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if title.isEmpty {
            title = type
            notes.append("title was missing; used the alert type")
        }
        if title.count > 500 { title = String(title.prefix(500)); notes.append("title cut to 500 characters") }
        var severity = Severity.medium
        if let word = raw.severity, !word.isEmpty {
            if let known = Severity.normalized(word) { severity = known } else { notes.append("unknown severity '\(word.prefix(40))'; treated as medium") }
        }
        var replacement: JSONValue?
        if let evidence = raw.evidenceText, evidence.utf8.count > maxEvidenceBytes {
            replacement = .object(["truncated": .bool(true), "original_bytes": .number(Double(evidence.utf8.count)),
                                   "preview": .string(String(evidence.prefix(2048)))])
            notes.append("evidence of \(evidence.utf8.count) bytes replaced by a preview")
        }
        return .accepted(alertType: type, title: title, severity: severity, notes: notes, evidenceReplacement: replacement)
    }
}
