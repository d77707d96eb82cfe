import Foundation

/// One check of a step as a person reads it: the value read, what was expected, and whether it held
/// (`error_pct 2.99, expected ≤ 1: ✗`). Stored with the step's result, so screens and reports show
/// the evidence with its thresholds rather than raw JSON.
public struct CheckReport: Sendable, Equatable {
    public var name: String
    /// The value read (nil when the step did not return it).
    public var value: JSONValue?
    /// The expectation in words (`≤ 1`, `= 0`, `one of [ok, degraded]`).
    public var expected: String
    public var holds: Bool

    public init(name: String, value: JSONValue?, expected: String, holds: Bool) {
        self.name = name
        self.value = value
        self.expected = expected
        self.holds = holds
    }

    /// The checks of `step` against the values it read, by name.
    public static func checks(of step: StepSpec, values: [String: JSONValue]) -> [CheckReport] {
        step.expect.keys.sorted().map { name in
            let expectation = step.expect[name]!
            let value = values[name]
            return CheckReport(name: name, value: value, expected: expectation.text, holds: value.map(expectation.holds(for:)) ?? false)
        }
    }

    /// As stored in a step result's `checks` array.
    public var json: JSONValue {
        .object(["name": .string(name), "value": value ?? .null, "expected": .string(expected), "holds": .bool(holds)])
    }

    /// Read back from a stored `checks` entry (nil for anything else).
    public init?(json: JSONValue) {
        guard let name = json["name"]?.stringValue, let expected = json["expected"]?.stringValue,
              let holds = json["holds"]?.boolValue else { return nil }
        let value = json["value"]
        self.init(name: name, value: value == .null ? nil : value, expected: expected, holds: holds)
    }
}

extension Expectation {
    /// The expectation in words: its comparisons joined by "and".
    public var text: String { comparisons.map(\.text).joined(separator: " and ") }
}

extension Comparison {
    /// The comparison in words (`≤ 1`, `≠ "down"`, `matches ^ok`).
    public var text: String {
        switch self {
        case .eq(let value): return "= \(Self.literal(value))"
        case .ne(let value): return "≠ \(Self.literal(value))"
        case .lt(let bound): return "< \(Self.number(bound))"
        case .lte(let bound): return "≤ \(Self.number(bound))"
        case .gt(let bound): return "> \(Self.number(bound))"
        case .gte(let bound): return "≥ \(Self.number(bound))"
        case .contains(let text): return "contains \(JSONValue.string(text).jsonText)"
        case .matches(let pattern): return "matches \(pattern)"
        case .oneOf(let values): return "one of [\(values.map { Self.literal($0) }.joined(separator: ", "))]"
        }
    }

    private static func literal(_ value: JSONValue) -> String {
        value.doubleValue.map(number) ?? value.stringValue ?? value.jsonText
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
