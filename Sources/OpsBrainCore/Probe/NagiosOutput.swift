/// What a Nagios plugin reported: its state (from the exit code), its status text and its
/// performance data (Nagios Plugin Development Guidelines, "Plugin Output" and "Performance data").
///
/// The first line is `TEXT | PERFDATA`; further lines are long text, and a `|` in them starts more
/// perfdata, which runs to the end of the output.
public struct NagiosOutput: Sendable, Equatable {
    /// The service state a plugin's exit code stands for.
    public enum State: String, Sendable, Equatable {
        case ok = "OK", warning = "WARNING", critical = "CRITICAL", unknown = "UNKNOWN"

        /// 0 OK, 1 WARNING, 2 CRITICAL; 3 and anything else UNKNOWN.
        public init(exitCode: Int) {
            switch exitCode {
            case 0: self = .ok
            case 1: self = .warning
            case 2: self = .critical
            default: self = .unknown
            }
        }
    }

    public var state: State
    /// The status text of the first line, without its perfdata.
    public var summary: String
    public var perfdata: [PerfDatum]

    /// Reads a plugin's exit code and standard output.
    public init(exitCode: Int, output: String) {
        state = State(exitCode: exitCode)
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let first = lines.first ?? ""
        let firstParts = first.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        summary = firstParts[0].trimmingCharacters(in: .whitespaces)
        var perfText = firstParts.count > 1 ? String(firstParts[1]) : ""
        if let start = lines.dropFirst().firstIndex(where: { $0.contains("|") }) {
            let rest = [String(lines[start].split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)[1])]
                + lines[(start + 1)...]
            perfText += " " + rest.joined(separator: " ")
        }
        perfdata = PerfDatum.parseList(perfText)
    }
}

/// One performance data item: `'label'=value[UOM];[warn];[crit];[min];[max]`.
public struct PerfDatum: Sendable, Equatable {
    public var label: String
    public var value: Double
    /// The unit of measure: "", s, ms, us, %, B, KB, MB, GB, TB or c (a counter).
    public var unit: String
    /// The warning and critical ranges as written (`10`, `10:20`, `@10:20`, `~:10`).
    public var warning: String?
    public var critical: String?
    public var minimum: Double?
    public var maximum: Double?

    /// An item as a plugin would print it.
    public init(label: String, value: Double, unit: String = "", warning: String? = nil, critical: String? = nil,
                minimum: Double? = nil, maximum: Double? = nil) {
        self.label = label
        self.value = value
        self.unit = unit
        self.warning = warning
        self.critical = critical
        self.minimum = minimum
        self.maximum = maximum
    }

    /// Every well-formed item in a space-separated perfdata text; malformed items and `U`
    /// (undetermined) values are skipped, as Nagios itself does.
    public static func parseList(_ text: String) -> [PerfDatum] {
        var items: [PerfDatum] = []
        var rest = Substring(text)
        while let (label, afterLabel) = nextLabel(rest) {
            let token = afterLabel.prefix { $0 != " " && $0 != "\t" }
            rest = afterLabel.dropFirst(token.count)
            if let item = PerfDatum(label: label, token: token) { items.append(item) }
        }
        return items
    }

    /// The label at the start of `text` (quoted or bare) and the text after its `=`.
    private static func nextLabel(_ text: Substring) -> (String, Substring)? {
        var rest = text.drop { $0 == " " || $0 == "\t" }
        guard !rest.isEmpty else { return nil }
        var label = ""
        if rest.first == "'" {
            rest = rest.dropFirst()
            while let character = rest.first {
                rest = rest.dropFirst()
                if character != "'" { label.append(character); continue }
                guard rest.first == "'" else { break }
                label.append("'")
                rest = rest.dropFirst()
            }
        } else {
            let bare = rest.prefix { $0 != "=" && $0 != " " && $0 != "\t" }
            label = String(bare)
            rest = rest.dropFirst(bare.count)
        }
        guard rest.first == "=" else {
            // Not an item: skip the token and go on with the next.
            let skipped = rest.drop { $0 != " " && $0 != "\t" }
            return skipped.isEmpty ? nil : nextLabel(skipped)
        }
        return label.isEmpty ? nextLabel(rest.drop { $0 != " " && $0 != "\t" }) : (label, rest.dropFirst())
    }

    /// Reads `value[UOM];warn;crit;min;max` for `label`; nil when the value is not a number.
    init?(label: String, token: Substring) {
        let fields = token.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        let number = fields[0].prefix { $0.isNumber || $0 == "." || $0 == "-" || $0 == "+" || $0 == "e" || $0 == "E" }
        guard !number.isEmpty, let value = Double(number) else { return nil }
        func field(_ index: Int) -> String? {
            index < fields.count && !fields[index].isEmpty ? fields[index] : nil
        }
        self.init(label: label, value: value, unit: String(fields[0].dropFirst(number.count)),
                  warning: field(1), critical: field(2), minimum: field(3).flatMap(Double.init), maximum: field(4).flatMap(Double.init))
    }
}
