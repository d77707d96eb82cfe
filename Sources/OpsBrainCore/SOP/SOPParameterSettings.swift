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

    /// This deployment's limits for one SOP (`sop_parameters.limits.<sop>`), over the file's own.
    public struct SOPLimits: Sendable, Equatable {
        public var line: Int
        /// The fleet-wide hourly cap: a fleet of several instances may need more than the file's default.
        public var maxExecutionsPerHour: Int?
        public var cooldownMinutes: Int?

        public init(line: Int, maxExecutionsPerHour: Int? = nil, cooldownMinutes: Int? = nil) {
            self.line = line
            self.maxExecutionsPerHour = maxExecutionsPerHour
            self.cooldownMinutes = cooldownMinutes
        }

        /// The SOP with these limits in place of its own.
        public func apply(to definition: inout SOPDefinition) {
            if let maxExecutionsPerHour { definition.maxExecutionsPerHour = maxExecutionsPerHour }
            if let cooldownMinutes { definition.cooldownMinutes = cooldownMinutes }
        }
    }

    /// Limits this deployment sets, by SOP.
    public var limits: [String: SOPLimits]

    public init(file: String = "opsbrain.yaml", defaults: [String: Value] = [:], sops: [String: SOPValues] = [:],
                targets: [String: SOPValues] = [:], skipSteps: [String: SOPSkips] = [:], limits: [String: SOPLimits] = [:]) {
        self.file = file
        self.defaults = defaults
        self.sops = sops
        self.targets = targets
        self.skipSteps = skipSteps
        self.limits = limits
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
