/// How an SOP's instance targets pick the one instance an alert is about.
///
/// Every target of the SOP that is a set of instances must select by the same alert label, and
/// the label's value must be declared by each of them; otherwise nothing is run and the alert is
/// escalated with the reason `choose(labels:)` gives.
public struct InstanceSelection: Sendable, Equatable {
    /// The SOP's targets that are sets of instances, by name.
    public let targets: [String: TargetInstances]

    /// The SOP's selection over the config's `targets`; nil when none of the targets it names is a set of instances.
    public init?(sop: SOPDefinition, targets: [String: TargetDefinition]) {
        var sets: [String: TargetInstances] = [:]
        for name in sop.targetNames {
            if let instances = targets[name]?.instances { sets[name] = instances }
        }
        guard !sets.isEmpty else { return nil }
        self.targets = sets
    }

    /// The distinct labels the targets select by, sorted (more than one is a configuration mistake).
    public var labels: [String] { Set(targets.values.map(\.selectBy)).sorted() }

    /// Which target picks by which label, for messages: `'web' by 'instance', 'db' by 'service'`.
    public var labelSummary: String {
        targets.sorted { $0.key < $1.key }.map { "'\($0.key)' by '\($0.value.selectBy)'" }.joined(separator: ", ")
    }

    /// The per-SOP cap of open instance executions: the smallest `max_executions` of its targets.
    public var maxExecutions: Int { targets.values.map(\.maxExecutions).min() ?? TargetInstances.defaultMaxExecutions }

    /// The instance the alert's `labels` pick, or why none is picked.
    public func choose(labels alertLabels: [String: String]) -> InstanceChoice {
        let sorted = targets.sorted { $0.key < $1.key }
        guard labels.count == 1, let label = labels.first, let first = sorted.first else {
            return .undeclared(value: nil, reason: "the targets of this SOP pick instances by different alert labels (\(labelSummary)); "
                               + "nothing was run")
        }
        guard let value = alertLabels[label] else {
            return .undeclared(value: nil, reason: "the alert has no '\(label)' label to pick an instance of target '\(first.key)'; "
                               + "nothing was run")
        }
        if let missing = sorted.first(where: { $0.value.members[value] == nil }) {
            return .undeclared(value: value, reason: "instance '\(value)' of target '\(missing.key)' is not declared in opsbrain.yaml; "
                               + "nothing was run")
        }
        return .declared(value)
    }
}

/// What an alert's labels pick among an SOP's declared instances.
public enum InstanceChoice: Sendable, Equatable {
    /// Every instance target of the SOP declares this instance.
    case declared(String)
    /// Nothing may run: the label is missing (`value` nil) or names an instance that is not declared.
    case undeclared(value: String?, reason: String)
}

/// How intake placed an execution of an SOP with instance targets (`self_healing_executions.instance_scope`).
public enum InstanceScope: String, Sendable, CaseIterable, Codable {
    /// For one declared instance: steps and fixes act on it.
    case instance
    /// For a label value that is not declared (or missing): escalated, nothing run.
    case undeclared
    /// Past the SOP's cap of open instance executions: one escalation for the rest of the fleet.
    case fleet
}
