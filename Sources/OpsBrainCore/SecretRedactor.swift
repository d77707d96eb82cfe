import Foundation

/// Replaces known secret values with `***` in text and JSON, before anything is stored or shown.
public struct SecretRedactor: Sendable {
    /// What every secret is replaced with.
    public static let mask = "***"

    private let secrets: [String]

    /// The secrets one target reads from `environment`.
    public init(target: TargetDefinition, environment: [String: String]) {
        self.init(secrets: target.secrets(environment: environment))
    }

    /// Secrets shorter than 4 characters are ignored (they would mangle ordinary text).
    public init(secrets: [String]) {
        self.secrets = Array(Set(secrets.filter { $0.count >= 4 })).sorted { $0.count > $1.count }
    }

    public func redact(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: Self.mask) }
    }

    public func redact(_ value: JSONValue) -> JSONValue {
        guard !secrets.isEmpty else { return value }
        switch value {
        case .string(let text): return .string(redact(text))
        case .array(let items): return .array(items.map(redact))
        case .object(let fields):
            return .object(Dictionary(uniqueKeysWithValues: fields.map { (redact($0.key), redact($0.value)) }))
        default: return value
        }
    }
}
