/// This deployment's values for SOP parameters: the `sop_parameters:` section of `opsbrain.yaml`.
///
/// `defaults` apply to every SOP that declares the parameter; `targets` to every SOP that names
/// the target (where things are spelled the same for whatever acts on them); `sops` set values for
/// one SOP and win over both. Each value keeps its line so that lint can point at it.
public struct SOPParameterSettings: Sendable, Equatable {
    /// One value as written in the config.
    public struct Value: Sendable, Equatable {
        public var text: String
        public var line: Int
        /// The dotted key it is written under (`sop_parameters.defaults.job_label`).
        public var key: String

        public init(_ text: String, line: Int, key: String) {
            self.text = text
            self.line = line
            self.key = key
        }
    }

    /// The values set for one SOP, and the line of its key.
    public struct SOPValues: Sendable, Equatable {
        public var line: Int
        public var values: [String: Value]

        public init(line: Int, values: [String: Value]) {
            self.line = line
            self.values = values
        }
    }

    /// The config file the values come from, for messages.
    public var file: String
    public var defaults: [String: Value]
    public var sops: [String: SOPValues]
    /// Values for the SOPs that name a target, by target name.
    public var targets: [String: SOPValues]
    /// Diagnosis steps this deployment skips, by SOP: each value's text is a step id.
    public var skipSteps: [String: SOPSkips]

    /// The steps skipped for one SOP, and the line of its key.
    public struct SOPSkips: Sendable, Equatable {
        public var line: Int
        public var steps: [Value]

        public init(line: Int, steps: [Value]) {
            self.line = line
            self.steps = steps
        }
    }

    public init(file: String = "opsbrain.yaml", defaults: [String: Value] = [:], sops: [String: SOPValues] = [:],
                targets: [String: SOPValues] = [:], skipSteps: [String: SOPSkips] = [:]) {
        self.file = file
        self.defaults = defaults
        self.sops = sops
        self.targets = targets
        self.skipSteps = skipSteps
    }

    /// The values for `sop`, which names `targets`, among the parameters it `declares`: defaults
    /// first, then its targets' values, then its own.
    ///
    /// Its own values for names it does not declare are returned as `undeclared`, because they
    /// are mistakes; defaults and target values it does not declare are meant for other SOPs and
    /// left out. Two of its targets that set one parameter differently are a `conflict`: the SOP's
    /// own value must settle it.
    public func values(for sop: String, naming targets: Set<String> = [], declares: Set<String>)
        -> (values: [String: Value], undeclared: [String: Value], conflicts: [Value]) {
        var values = defaults.filter { declares.contains($0.key) }
        let own = sops[sop]?.values ?? [:]
        var fromTargets: [String: Value] = [:]
        var conflicts: [Value] = []
        for target in targets.sorted() {
            for (name, value) in self.targets[target]?.values ?? [:] where declares.contains(name) && own[name] == nil {
                if let earlier = fromTargets[name], earlier.text != value.text { conflicts.append(value) } else { fromTargets[name] = value }
            }
        }
        values.merge(fromTargets) { _, specific in specific }
        values.merge(own.filter { declares.contains($0.key) }) { _, specific in specific }
        return (values, own.filter { !declares.contains($0.key) }, conflicts)
    }
}
