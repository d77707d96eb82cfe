import Foundation
import OpsBrainCore

extension ConfigParser {
    /// Reads `sop_parameters:`: `defaults` for every SOP that declares a parameter, and `sops`
    /// with values for one SOP each. Kinds are checked by lint, against each SOP's declarations.
    static func readSOPParameters(_ field: YAMLField?, file: String) -> SOPParameterSettings {
        var settings = SOPParameterSettings(file: file)
        guard let parts = field?.mapping(allowed: ["defaults", "sops", "targets", "skip_steps", "limits"]) else { return settings }
        settings.defaults = parts["defaults"].map(parameterValues) ?? [:]
        for (sop, sopField) in sopEntries(parts["sops"]) {
            settings.sops[sop] = SOPParameterSettings.SOPValues(line: sopField.line, values: parameterValues(sopField))
        }
        for (target, targetField) in parts["targets"]?.mapping() ?? [:] {
            settings.targets[target] = SOPParameterSettings.SOPValues(line: targetField.line, values: parameterValues(targetField))
        }
        for (sop, sopField) in sopEntries(parts["skip_steps"]) {
            settings.skipSteps[sop] = SOPParameterSettings.SOPSkips(line: sopField.line, steps: stepIDs(sopField))
        }
        for (sop, sopField) in sopEntries(parts["limits"]) {
            guard let limits = sopField.mapping(allowed: ["max_executions_per_hour", "cooldown_minutes"]) else { continue }
            settings.limits[sop] = SOPParameterSettings.SOPLimits(
                line: sopField.line, maxExecutionsPerHour: limits["max_executions_per_hour"]?.int(in: 1...100),
                cooldownMinutes: limits["cooldown_minutes"]?.int(in: 0...1440))
        }
        return settings
    }

    /// The entries of a mapping keyed by SOP name; a key that cannot be one is reported and left out.
    private static func sopEntries(_ field: YAMLField?) -> [(String, YAMLField)] {
        (field?.mapping() ?? [:]).sorted { $0.key < $1.key }.filter { sop, sopField in
            guard sop.range(of: "^[a-z0-9][a-z0-9-]{2,99}$", options: .regularExpression) != nil else {
                sopField.issues.error(sopField.line, "key '\(sopField.path)': '\(sop)' is not an SOP name")
                return false
            }
            return true
        }
    }

    /// A list of step ids (`[recent_deploy, running_exports]`), each with its line.
    private static func stepIDs(_ field: YAMLField) -> [SOPParameterSettings.Value] {
        guard let items = field.sequence() else { return [] }
        return items.compactMap { item in
            guard let id = item.string() else { return nil }
            return SOPParameterSettings.Value(id, line: item.line, key: field.path)
        }
    }

    /// `name: value` pairs; each value is one scalar.
    private static func parameterValues(_ field: YAMLField) -> [String: SOPParameterSettings.Value] {
        var values: [String: SOPParameterSettings.Value] = [:]
        for (name, valueField) in field.mapping() ?? [:] {
            guard name.range(of: "^[a-z][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
                valueField.issues.error(valueField.line, "key '\(valueField.path)': '\(name)' is not a parameter name "
                                        + "(a-z first, then a-z, 0-9 and '_')")
                continue
            }
            if let text = valueField.string() {
                values[name] = SOPParameterSettings.Value(text, line: valueField.line, key: valueField.path)
            }
        }
        return values
    }
}
