import OpsBrainCore

/// Targets that are sets of instances: `select_by`, `instances` and `max_executions`.
///
/// ```yaml
/// web:
///   type: http
///   select_by: instance
///   max_executions: 10
///   instances:
///     web-1: {url: http://10.0.0.1:8080}
/// ```
extension ConfigParser {
    /// The keys that make a target a set of instances.
    static let instanceKeys: Set<String> = ["select_by", "instances", "max_executions"]

    /// Reads the instance settings of a target whose own settings are `own`; nil (with the
    /// problems reported) when they are incomplete or wrong.
    static func readInstances(_ fields: [String: YAMLField], own: Set<String>, kind: TargetKind, owner: YAMLField) -> TargetInstances? {
        guard let labelField = fields["select_by"] else {
            owner.issues.error(owner.line, "key '\(owner.path)': a target with instances needs 'select_by' "
                               + "(the alert label whose value picks one, e.g. instance)")
            return nil
        }
        guard let listField = fields["instances"] else {
            owner.issues.error(owner.line, "key '\(owner.path)': 'select_by' needs 'instances' (the declared instances it picks from)")
            return nil
        }
        let label = readLabel(labelField)
        let cap = fields["max_executions"].map { $0.int(in: 1...1_000) } ?? TargetInstances.defaultMaxExecutions
        guard let entries = listField.mapping() else { return nil }
        if entries.isEmpty { owner.issues.error(listField.line, "key '\(listField.path)': declares no instances") }
        var members: [String: [String: JSONValue]] = [:]
        for (key, entry) in entries {
            guard key.range(of: "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$", options: .regularExpression) != nil else {
                entry.issues.error(entry.line, "key '\(entry.path)': '\(key)' is not an instance name (letters, digits, '.', '_', ':' and '-')")
                continue
            }
            if let settings = readInstance(entry, own: own, kind: kind) { members[key] = settings }
        }
        guard let label, let cap, members.count == entries.count, !members.isEmpty else { return nil }
        return TargetInstances(selectBy: label, members: members, maxExecutions: cap)
    }

    /// An alert label name, as Prometheus spells them.
    private static func readLabel(_ field: YAMLField) -> String? {
        guard let label = field.string() else { return nil }
        guard label.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil else {
            field.issues.error(field.line, "key '\(field.path)': '\(label)' is not an alert label name (letters, digits and '_')")
            return nil
        }
        return label
    }

    /// One instance: a mapping of the kind's settings (not `type` or `class`, which are the
    /// target's), complete together with the target's own.
    private static func readInstance(_ entry: YAMLField, own: Set<String>, kind: TargetKind) -> [String: JSONValue]? {
        guard case .mapping = entry.node else { _ = entry.mapping(); return nil }
        guard let settings = entry.mapping(allowed: kind.allowedFields.subtracting(["type", "class"])) else { return nil }
        checkRequired(kind, present: own.union(settings.keys), at: entry, hint: " (on the target or the instance)")
        return settings.mapValues { $0.json() }
    }
}
