import Foundation
import OpsBrainCore

extension ConfigParser {
    /// Reads `sop_parameters:`: `defaults` for every SOP that declares a parameter, and `sops`
    /// with values for one SOP each. Kinds are checked by lint, against each SOP's declarations.
    static func readSOPParameters(_ field: YAMLField?, file: String) -> SOPParameterSettings {
        var settings = SOPParameterSettings(file: file)
        guard let parts = field?.mapping(allowed: ["defaults", "sops"]) else { return settings }
        settings.defaults = parts["defaults"].map(parameterValues) ?? [:]
        for (sop, sopField) in parts["sops"]?.mapping() ?? [:] {
            guard sop.range(of: "^[a-z0-9][a-z0-9-]{2,99}$", options: .regularExpression) != nil else {
                sopField.issues.error(sopField.line, "key '\(sopField.path)': '\(sop)' is not an SOP name")
                continue
            }
            settings.sops[sop] = SOPParameterSettings.SOPValues(line: sopField.line, values: parameterValues(sopField))
        }
        return settings
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
