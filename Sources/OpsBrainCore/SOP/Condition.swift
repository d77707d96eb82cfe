/// A condition over diagnosis results, such as `invalid_numbers.value > 0 and not balance.passed`.
public indirect enum Condition: Sendable, Equatable {
    case compare(Operand, ComparisonOperator, Operand)
    /// A bare operand, true when the value is truthy (`carrier_block.failed`).
    case truthy(Operand)
    case and(Condition, Condition)
    case or(Condition, Condition)
    case not(Condition)

    /// Every dotted reference the condition reads (`step.value`, `attempts`).
    public var references: [String] {
        switch self {
        case .compare(let lhs, _, let rhs): return lhs.references + rhs.references
        case .truthy(let operand): return operand.references
        case .and(let lhs, let rhs), .or(let lhs, let rhs): return lhs.references + rhs.references
        case .not(let inner): return inner.references
        }
    }

    /// Evaluates with `resolve` supplying the value of each reference (nil: unknown, treated as false).
    public func evaluate(_ resolve: (String) -> JSONValue?) -> Bool {
        switch self {
        case .compare(let lhs, let op, let rhs):
            guard let left = lhs.value(resolve), let right = rhs.value(resolve) else { return false }
            return op.apply(left, right)
        case .truthy(let operand):
            guard let value = operand.value(resolve) else { return false }
            switch value {
            case .bool(let flag): return flag
            case .number(let number): return number != 0
            case .integer(let number): return number != 0
            case .string(let text): return !text.isEmpty
            case .null: return false
            case .array(let items): return !items.isEmpty
            case .object(let fields): return !fields.isEmpty
            }
        case .and(let lhs, let rhs): return lhs.evaluate(resolve) && rhs.evaluate(resolve)
        case .or(let lhs, let rhs): return lhs.evaluate(resolve) || rhs.evaluate(resolve)
        case .not(let inner): return !inner.evaluate(resolve)
        }
    }
}

/// One side of a comparison.
public enum Operand: Sendable, Equatable {
    case reference(String)
    case literal(JSONValue)

    var references: [String] {
        if case .reference(let path) = self { return [path] }
        return []
    }

    func value(_ resolve: (String) -> JSONValue?) -> JSONValue? {
        switch self {
        case .reference(let path): return resolve(path)
        case .literal(let value): return value
        }
    }
}

/// `== != < <= > >=`
public enum ComparisonOperator: String, Sendable, CaseIterable {
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="

    func apply(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        switch self {
        case .equal: return ComparisonOperator.equal(lhs, rhs)
        case .notEqual: return !ComparisonOperator.equal(lhs, rhs)
        default:
            guard let left = lhs.doubleValue, let right = rhs.doubleValue else { return false }
            switch self {
            case .less: return left < right
            case .lessOrEqual: return left <= right
            case .greater: return left > right
            default: return left >= right
            }
        }
    }

    /// Equality that lets `'5'` equal `5` and compares strings without case.
    static func equal(_ lhs: JSONValue, _ rhs: JSONValue) -> Bool {
        if let left = lhs.doubleValue, let right = rhs.doubleValue, lhs.stringValue == nil || rhs.stringValue == nil {
            return left == right
        }
        if let left = lhs.stringValue, let right = rhs.stringValue { return left.lowercased() == right.lowercased() }
        return lhs == rhs
    }
}
