import OpsBrainCore

/// JSON written out over several indented lines, keys sorted, for detail panes.
public enum JSONLines {
    /// The lines of `value`, at most `limit` of them.
    public static func lines(_ value: JSONValue, indent: String = "  ", limit: Int = 200) -> [String] {
        var lines: [String] = []
        write(value, prefix: "", indent: indent, into: &lines, limit: limit)
        return lines
    }

    private static func write(_ value: JSONValue, prefix: String, indent: String, into lines: inout [String], limit: Int) {
        guard lines.count < limit else { return }
        switch value {
        case .object(let fields) where !fields.isEmpty:
            for key in fields.keys.sorted() {
                let child = fields[key]!
                if isScalar(child) {
                    lines.append("\(prefix)\(key): \(scalar(child))")
                } else {
                    lines.append("\(prefix)\(key):")
                    write(child, prefix: prefix + indent, indent: indent, into: &lines, limit: limit)
                }
            }
        case .array(let items) where !items.isEmpty:
            for item in items {
                if isScalar(item) { lines.append("\(prefix)- \(scalar(item))") } else {
                    lines.append("\(prefix)-")
                    write(item, prefix: prefix + indent, indent: indent, into: &lines, limit: limit)
                }
            }
        default:
            lines.append(prefix + scalar(value))
        }
    }

    private static func isScalar(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let fields): return fields.isEmpty
        case .array(let items): return items.isEmpty
        default: return true
        }
    }

    /// A scalar (or empty container) as one short piece of text.
    public static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .number(let number): return number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .integer(let number): return String(number)
        default: return value.jsonText
        }
    }
}
