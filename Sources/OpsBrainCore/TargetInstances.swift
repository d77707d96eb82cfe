/// The declared instances of a target, one of which an alert picks by the value of a label.
///
/// Only declared instances are ever acted on: an alert whose label names anything else is
/// escalated, never run against a guessed URL or unit.
public struct TargetInstances: Sendable, Equatable {
    /// At most this many executions of one SOP are open at once for instances of a target, unless it says otherwise.
    public static let defaultMaxExecutions = 10

    /// The alert label whose value names the instance (`instance`, `service`).
    public var selectBy: String
    /// Each instance's own settings by its key (the label value), overriding the target's.
    public var members: [String: [String: JSONValue]]
    /// Past this many open executions of one SOP for instances of this target, alerts join one fleet-wide escalation.
    public var maxExecutions: Int

    public init(selectBy: String, members: [String: [String: JSONValue]], maxExecutions: Int = TargetInstances.defaultMaxExecutions) {
        self.selectBy = selectBy
        self.members = members
        self.maxExecutions = maxExecutions
    }
}

extension TargetDefinition {
    /// The concrete target of the declared instance `key`: the target's settings with the
    /// instance's own on top, as a plain target; nil when the target declares no such instance.
    public func instance(_ key: String) -> TargetDefinition? {
        guard let overrides = instances?.members[key] else { return nil }
        return TargetDefinition(name: name, kind: kind, fields: fields.merging(overrides) { $1 }, operationClass: operationClass)
    }
}
