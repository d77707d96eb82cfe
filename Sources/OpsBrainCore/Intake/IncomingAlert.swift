import Foundation

/// One alert as a webhook delivered it, before it is stored.
public struct IncomingAlert: Sendable, Equatable {
    public enum State: String, Sendable { case firing, resolved }

    public var source: String
    public var alertType: String
    public var title: String
    public var severity: Severity
    public var labels: [String: String]
    public var evidence: JSONValue
    /// Stable identity across repeats: the sender's fingerprint, or a hash of the sorted labels.
    public var fingerprint: String
    public var state: State

    public init(source: String, alertType: String, title: String, severity: Severity, labels: [String: String],
                evidence: JSONValue, fingerprint: String, state: State) {
        self.source = source
        self.alertType = alertType
        self.title = title
        self.severity = severity
        self.labels = labels
        self.evidence = evidence
        self.fingerprint = fingerprint
        self.state = state
    }

    /// A fingerprint from the sorted labels (FNV-1a, 16 hex digits like Alertmanager's).
    public static func fingerprint(labels: [String: String]) -> String {
        var hash: UInt64 = 0xcbf29ce484222325
        for key in labels.keys.sorted() {
            for byte in (key + "\u{1}" + labels[key]! + "\u{2}").utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// A payload that cannot be stored, naming the field that is wrong.
public struct PayloadError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}
