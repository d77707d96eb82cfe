import Foundation
import OpsBrainCore

/// Replaces a target's secret values (read from `*_env` variables) with `***` in text and JSON,
/// so that a server echoing a credential back cannot leak it into results or the audit trail.
public struct SecretRedactor: Sendable {
    /// What every secret is replaced with.
    public static let mask = "***"

    private let secrets: [String]

    /// A redactor for `secrets`; longer secrets are replaced first so that overlaps mask fully.
    public init(_ secrets: [String]) {
        self.secrets = secrets.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
    }

    /// The secrets `target` reads from `environment`.
    public init(target: TargetDefinition, environment: [String: String]) {
        self.init(target.secrets(environment: environment))
    }

    /// `text` with every secret masked.
    public func text(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: Self.mask) }
    }

    /// `value` with every secret masked in its strings and keys.
    public func json(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let string): return .string(text(string))
        case .array(let items): return .array(items.map(json))
        case .object(let fields):
            return .object(Dictionary(fields.map { (text($0.key), json($0.value)) }, uniquingKeysWith: { first, _ in first }))
        case .null, .bool, .number: return value
        }
    }
}
