/// A value an SOP declares because stacks spell it differently: a path, a job label, a metric,
/// a table, a key or file pattern, a threshold.
///
/// The SOP writes `{{name}}` where the value goes; the parser substitutes the effective value
/// (the config's override, else the default), so runners never see a placeholder, but one:
/// `{{instance}}` in a metric query, which the metric runner fills in with the execution's instance.
public struct SOPParameter: Sendable, Equatable {
    /// The one placeholder filled in at run time: the execution's instance, as a PromQL regex.
    public static let instancePlaceholder = "instance"

    /// `query` with `{{instance}}` replaced by a regex matching exactly `instance` (a declared
    /// instance name: letters, digits, `.`, `_`, `:`, `-`), or any value when the run is for none.
    public static func fillingInstance(_ query: String, with instance: String?) -> String {
        let regex = instance.map { $0.replacingOccurrences(of: ".", with: "\\\\.") } ?? ".+"
        return query.replacingOccurrences(of: "{{\(instancePlaceholder)}}", with: regex)
    }

    public var name: String
    public var kind: SOPParameterKind
    public var defaultValue: String
    /// The value in use here: the default unless the config overrides it.
    public var value: String
    public var description: String

    /// A parameter whose value is its default until the config's value is bound to it.
    public init(name: String, kind: SOPParameterKind, defaultValue: String, description: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.value = defaultValue
        self.description = description
    }

    /// True when the config set a value other than the default.
    public var isOverridden: Bool { value != defaultValue }
}

/// What a parameter's value is, which decides what it may hold and where it may be used.
public enum SOPParameterKind: String, Sendable, CaseIterable, Codable {
    /// Free text on one line (names, messages, `params` of SQL steps, HTTP bodies).
    case text
    /// A SQL table or column name, optionally schema-qualified (`jobs`, `app.jobs`).
    case identifier
    /// A Prometheus metric name (`http_requests_total`).
    case metric
    /// A Prometheus label value, used inside double quotes (`job="{{job}}"`).
    case labelValue = "label_value"
    /// A decimal number (a threshold).
    case number
    /// A duration with its unit (`30s`, `5m`, `6h`), as PromQL ranges and SQL intervals take it.
    case duration
    /// A URL or file path starting with `/`.
    case path
    /// A glob or Redis key pattern with something besides wildcards (`cache:*`, `*.tmp`).
    case pattern

    /// Why `value` is not of this kind, or nil when it is.
    public func problem(with value: String) -> String? {
        if value.contains(where: \.isNewline) { return "a parameter value is one line" }
        guard let rule else { return nil }
        guard value.range(of: rule.regex, options: .regularExpression) != nil else { return "expected \(rule.meaning)" }
        if self == .pattern, value.allSatisfy({ "*?[]".contains($0) }) {
            return "expected \(rule.meaning); a pattern of wildcards only would match everything"
        }
        return nil
    }

    /// The shape a value must have, and how messages describe it; nil for free text.
    private var rule: (regex: String, meaning: String)? {
        switch self {
        case .text: return nil
        case .identifier:
            return (#"^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$"#,
                    "an identifier (a letter or '_', then letters, digits and '_'; one '.' for a schema)")
        case .metric: return (#"^[A-Za-z_:][A-Za-z0-9_:]*$"#, "a metric name (letters, digits, '_' and ':')")
        case .labelValue: return (#"^[^"\\{}`]+$"#, #"a label value (not empty, no '"', '\', '{', '}' or '`')"#)
        case .number: return (#"^-?[0-9]+(\.[0-9]+)?$"#, "a decimal number")
        case .duration: return (#"^[0-9]+(ms|s|m|h|d)$"#, "a duration with its unit (like 30s, 5m, 6h, 1d)")
        case .path: return (#"^/[^\s"'{}\\`]*$"#, "a path starting with '/' (no spaces, quotes, braces or backslashes)")
        case .pattern: return (#"^[^\s"'{}\\`;]+$"#, "a pattern (no spaces, quotes, braces, backslashes or ';')")
        }
    }

    /// True when a value of this kind may be placed where `use` says.
    ///
    /// SQL text takes only identifiers and numbers (values go in a step's `params`), PromQL takes
    /// names, label values, numbers and durations, conditions take numbers; plain fields take any kind.
    public func isAllowed(in use: SOPParameterUse) -> Bool {
        switch use {
        case .field: return true
        case .sqlQuery: return [.identifier, .number, .duration].contains(self)
        case .promQL: return [.metric, .identifier, .labelValue, .number, .duration].contains(self)
        case .condition: return self == .number
        }
    }
}

/// Where a `{{name}}` placeholder stands, which limits the kinds it may have.
public enum SOPParameterUse: String, Sendable {
    /// The `query` of a `sql` step.
    case sqlQuery = "a SQL query"
    /// The `query` of a `metric` step.
    case promQL = "a PromQL query"
    /// A `when` condition.
    case condition = "a condition"
    /// Any other string field (paths, patterns, names, expectations).
    case field = "a field"
}
