/// Equality by value, with one rule for numbers: `.integer(5)` equals `.number(5)`.
///
/// Numbers compare by their exact value, so `.integer(9007199254740993)` differs from
/// `.number(9007199254740992)` although the `Double` nearest to the first is the second.
extension JSONValue {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(left), .bool(right)): return left == right
        case let (.string(left), .string(right)): return left == right
        case let (.array(left), .array(right)): return left == right
        case let (.object(left), .object(right)): return left == right
        default:
            guard let left = lhs.exactNumber, let right = rhs.exactNumber else { return false }
            return left == right
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let flag): hasher.combine(1); hasher.combine(flag)
        case .number, .integer: hasher.combine(2); hasher.combine(exactNumber)
        case .string(let text): hasher.combine(3); hasher.combine(text)
        case .array(let items): hasher.combine(4); hasher.combine(items)
        case .object(let fields): hasher.combine(5); hasher.combine(fields)
        }
    }

    /// A number in one form per value: whole numbers that fit 64 bits as integers, the rest as doubles.
    private var exactNumber: ExactNumber? {
        switch self {
        case .integer(let value): return .whole(value)
        case .number(let value): return Int64(exactly: value).map(ExactNumber.whole) ?? .fraction(value)
        default: return nil
        }
    }

    /// The form numbers are compared and hashed in.
    private enum ExactNumber: Hashable {
        case whole(Int64)
        case fraction(Double)
    }
}
