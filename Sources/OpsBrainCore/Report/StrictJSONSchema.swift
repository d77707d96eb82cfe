/// Local validation of LLM answers against the strict JSON schemas we send.
///
/// Servers that ignore `strict` (Ollama, llama.cpp, vLLM) can answer anything, so every answer is
/// checked here. Supports the subset strict mode allows: `type` (a name or a list with `null`),
/// `properties`, `required`, `additionalProperties: false`, `items`, `enum`, `minimum`,
/// `maximum`, `minLength`, `maxLength`, `minItems`, `maxItems`.
public enum StrictJSONSchema {
    /// What makes `schema` unfit for strict mode: the root must be an object, and every object must
    /// list every property in `required` and say `additionalProperties: false`.
    public static func strictnessProblems(_ schema: JSONValue, path: String = "$") -> [String] {
        var problems: [String] = []
        if path == "$", !types(schema).contains("object") { problems.append("$: the root must be an object") }
        if types(schema).contains("object") {
            let properties = schema["properties"]?.objectValue ?? [:]
            let required = Set(schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            if required != Set(properties.keys) { problems.append("\(path): every property must be required") }
            if schema["additionalProperties"] != .bool(false) { problems.append("\(path): additionalProperties must be false") }
            for (name, child) in properties.sorted(by: { $0.key < $1.key }) {
                problems += strictnessProblems(child, path: "\(path).\(name)")
            }
        }
        if let items = schema["items"] { problems += strictnessProblems(items, path: "\(path)[]") }
        return problems
    }

    /// Every way `value` breaks `schema`, as `path: problem`; empty when it conforms.
    public static func violations(_ value: JSONValue, schema: JSONValue, path: String = "$") -> [String] {
        let allowed = types(schema)
        guard allowed.isEmpty || allowed.contains(where: { matches(value, type: $0) }) else {
            return ["\(path): expected \(allowed.sorted().joined(separator: " or ")), got \(describe(value))"]
        }
        if let options = schema["enum"]?.arrayValue, !options.contains(value) {
            return ["\(path): \(value.jsonText.prefix(60)) is not one of the allowed values"]
        }
        switch value {
        case .object(let fields): return objectViolations(fields, schema: schema, path: path)
        case .array(let items): return arrayViolations(items, schema: schema, path: path)
        case .string(let text): return bounds(Double(text.count), schema, "minLength", "maxLength", "characters", path)
        case .number(let number): return bounds(number, schema, "minimum", "maximum", "", path)
        case .integer(let number): return bounds(Double(number), schema, "minimum", "maximum", "", path)
        default: return []
        }
    }

    private static func objectViolations(_ fields: [String: JSONValue], schema: JSONValue, path: String) -> [String] {
        let properties = schema["properties"]?.objectValue ?? [:]
        var problems: [String] = []
        for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where fields[name] == nil {
            problems.append("\(path): missing required property '\(name)'")
        }
        for (name, field) in fields.sorted(by: { $0.key < $1.key }) {
            if let child = properties[name] {
                problems += violations(field, schema: child, path: "\(path).\(name)")
            } else if schema["additionalProperties"] == .bool(false) {
                problems.append("\(path): unexpected property '\(name)'")
            }
        }
        return problems
    }

    private static func arrayViolations(_ items: [JSONValue], schema: JSONValue, path: String) -> [String] {
        var problems = bounds(Double(items.count), schema, "minItems", "maxItems", "items", path)
        if let itemSchema = schema["items"] {
            for (index, item) in items.enumerated() { problems += violations(item, schema: itemSchema, path: "\(path)[\(index)]") }
        }
        return problems
    }

    private static func bounds(_ value: Double, _ schema: JSONValue, _ low: String, _ high: String, _ unit: String, _ path: String) -> [String] {
        let suffix = unit.isEmpty ? "" : " \(unit)"
        if let minimum = schema[low]?.doubleValue, value < minimum {
            return ["\(path): \(JSONValue.format(number: value))\(suffix) is below the minimum of \(JSONValue.format(number: minimum))"]
        }
        if let maximum = schema[high]?.doubleValue, value > maximum {
            return ["\(path): \(JSONValue.format(number: value))\(suffix) is above the maximum of \(JSONValue.format(number: maximum))"]
        }
        return []
    }

    private static func types(_ schema: JSONValue) -> [String] {
        if let single = schema["type"]?.stringValue { return [single] }
        return schema["type"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null),
             ("number", .number), ("number", .integer), ("integer", .integer): return true
        case ("integer", .number(let number)): return number == number.rounded() && number.isFinite
        default: return false
        }
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number, .integer: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
