/// Typed reads of a target's settings, resolving `*_env` indirections from an environment.
extension TargetDefinition {
    /// A string setting.
    public func string(_ key: String) -> String? { fields[key]?.stringValue }

    /// An integer setting.
    public func int(_ key: String) -> Int? { fields[key]?.doubleValue.map { Int($0) } }

    /// An argv list setting.
    public func argv(_ key: String) -> [String]? {
        fields[key]?.arrayValue?.compactMap { $0.stringValue }
    }

    /// `key` itself, or the value of the variable named by `key_env`.
    public func resolved(_ key: String, environment: [String: String]) throws -> String {
        if let direct = string(key) { return direct }
        if let variable = string(key + "_env") {
            guard let value = environment[variable], !value.isEmpty else {
                throw StepFailure("target '\(name)': environment variable \(variable) (\(key)_env) is not set")
            }
            return value
        }
        throw StepFailure("target '\(name)' has no '\(key)' or '\(key)_env'")
    }

    /// HTTP headers from `headers_env` (header name → variable name), read from `environment`.
    public func headers(environment: [String: String]) throws -> [String: String] {
        guard let mapping = fields["headers_env"]?.objectValue else { return [:] }
        var headers: [String: String] = [:]
        for (header, variable) in mapping {
            guard let name = variable.stringValue, let value = environment[name], !value.isEmpty else {
                throw StepFailure("target '\(self.name)': environment variable for header \(header) is not set")
            }
            headers[header] = value
        }
        return headers
    }

    /// The secret values this target and its instances read from the environment, for redaction.
    public func secrets(environment: [String: String]) -> [String] {
        var names: [String] = []
        let settings = [fields] + (instances.map { Array($0.members.values) } ?? [])
        for (key, value) in settings.joined() where key.hasSuffix("_env") {
            if let name = value.stringValue { names.append(name) }
            if let mapping = value.objectValue { names += mapping.values.compactMap(\.stringValue) }
        }
        return names.compactMap { environment[$0] }.filter { $0.count >= 4 }
    }
}
