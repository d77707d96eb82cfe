import Foundation

/// A parameter a step or operation takes, and what its value must be.
public struct ParameterSpec: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The name of a config target of one of these kinds.
        case target([TargetKind])
        case string
        case stringList
        case duration
        case integer(ClosedRange<Int>)
        case boolean
        case choice([String])
        case stringMap
        /// Any JSON value (a request body, SQL parameters).
        case any
    }

    public var name: String
    public var kind: Kind
    public var required: Bool

    public init(name: String, kind: Kind, required: Bool = false) {
        self.name = name
        self.kind = kind
        self.required = required
    }

    public static func target(_ kinds: [TargetKind], required: Bool, name: String = "target") -> ParameterSpec {
        ParameterSpec(name: name, kind: .target(kinds), required: required)
    }
    public static func string(_ name: String, required: Bool = false) -> ParameterSpec {
        ParameterSpec(name: name, kind: .string, required: required)
    }
    public static func stringList(_ name: String, required: Bool = false) -> ParameterSpec {
        ParameterSpec(name: name, kind: .stringList, required: required)
    }
    public static func duration(_ name: String, required: Bool = false) -> ParameterSpec {
        ParameterSpec(name: name, kind: .duration, required: required)
    }
    public static func integer(_ name: String, _ range: ClosedRange<Int>, required: Bool = false) -> ParameterSpec {
        ParameterSpec(name: name, kind: .integer(range), required: required)
    }
    public static func boolean(_ name: String) -> ParameterSpec { ParameterSpec(name: name, kind: .boolean) }
    public static func choice(_ name: String, _ options: [String], required: Bool = false) -> ParameterSpec {
        ParameterSpec(name: name, kind: .choice(options), required: required)
    }
    public static func stringMap(_ name: String) -> ParameterSpec { ParameterSpec(name: name, kind: .stringMap) }
    public static func any(_ name: String) -> ParameterSpec { ParameterSpec(name: name, kind: .any) }

    /// Checks `value` against this spec; returns a problem description or nil.
    public func problem(with value: JSONValue) -> String? {
        switch kind {
        case .target, .string:
            return value.stringValue == nil ? "expected a string" : nil
        case .stringList:
            guard let items = value.arrayValue, !items.isEmpty, items.allSatisfy({ $0.stringValue != nil })
            else { return "expected a non-empty list of strings" }
            return nil
        case .duration:
            return value.stringValue.flatMap(DurationSyntax.parse) == nil && value.doubleValue == nil
                ? "expected a duration (like 30s, 5m)" : nil
        case .integer(let range):
            guard let number = value.doubleValue, number == number.rounded(), range.contains(Int(number))
            else { return "expected a whole number in \(range.lowerBound)...\(range.upperBound)" }
            return nil
        case .boolean:
            return value.boolValue == nil ? "expected true or false" : nil
        case .choice(let options):
            guard let text = value.stringValue, options.contains(text)
            else { return "expected one of \(options.joined(separator: ", "))" }
            return nil
        case .stringMap:
            guard let fields = value.objectValue, fields.values.allSatisfy({ $0.stringValue != nil || $0.doubleValue != nil })
            else { return "expected a mapping of strings" }
            return nil
        case .any:
            return nil
        }
    }
}

/// Durations as written in files: `500ms`, `30s`, `5m`, `2h`, `1d`, or bare seconds.
public enum DurationSyntax {
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        guard let amount = Double(digits), amount >= 0 else { return nil }
        let seconds: Double
        switch trimmed.dropFirst(digits.count) {
        case "ms": seconds = amount / 1000
        case "", "s": seconds = amount
        case "m": seconds = amount * 60
        case "h": seconds = amount * 3600
        case "d": seconds = amount * 86400
        default: return nil
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    public static func format(_ duration: Duration) -> String {
        let millis = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if millis % 3_600_000 == 0, millis > 0 { return "\(millis / 3_600_000)h" }
        if millis % 60_000 == 0, millis > 0 { return "\(millis / 60_000)m" }
        if millis % 1000 == 0 { return "\(millis / 1000)s" }
        return "\(millis)ms"
    }
}
