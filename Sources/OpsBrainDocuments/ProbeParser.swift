import OpsBrainCore
import Yams

/// Reads the `probes:` section of `opsbrain.yaml` into typed probes, naming the line and key of
/// every mistake; checks are read like SOP steps and their targets must exist in the config.
struct ProbeParser {
    let issues: IssueCollector
    let targets: [String: TargetDefinition]

    static let probeKeys: Set<String> = ["name", "check", "period", "failure_threshold", "success_threshold", "alert", "samples"]
    static let alertKeys: Set<String> = ["type", "title", "severity", "labels"]
    static let periods = Duration.milliseconds(100)...Duration.seconds(86_400)

    /// Every valid probe in the section (an empty or null section is no probes).
    func read(_ field: YAMLField) -> [ProbeDefinition] {
        if case .scalar(let scalar) = field.node, YAMLField.scalarJSON(scalar) == .null { return [] }
        guard let items = field.sequence() else { return [] }
        var firstLine: [String: Int] = [:]
        return items.compactMap { item in
            guard let probe = readProbe(item) else { return nil }
            if let line = firstLine[probe.name] {
                issues.error(item.line, "key '\(item.path)': probe '\(probe.name)' is already defined at line \(line)")
                return nil
            }
            firstLine[probe.name] = item.line
            return probe
        }
    }

    private func readProbe(_ field: YAMLField) -> ProbeDefinition? {
        guard let parts = field.mapping(allowed: Self.probeKeys) else { return nil }
        let name = readName(parts["name"], owner: field)
        let check = readCheck(parts["check"], owner: field, probe: name ?? "?")
        let alert = readAlert(parts["alert"], owner: field, probe: name ?? "?")
        var valid = true
        /// An optional key's value; a key that is present but wrong makes the probe invalid.
        func optional<T>(_ key: String, _ read: (YAMLField) -> T?) -> T? {
            guard let field = parts[key] else { return nil }
            let value = read(field)
            if value == nil { valid = false }
            return value
        }
        let period = optional("period", readPeriod)
        let failures = optional("failure_threshold") { $0.int(in: 1...100) }
        let successes = optional("success_threshold") { $0.int(in: 1...100) }
        let samples = optional("samples", readSamples)
        guard valid, let name, let check, let alert else { return nil }
        return ProbeDefinition(name: name, check: check.step, nagios: check.nagios, period: period ?? ProbeDefinition.defaultPeriod,
                               failureThreshold: failures ?? ProbeDefinition.defaultFailureThreshold,
                               successThreshold: successes ?? ProbeDefinition.defaultSuccessThreshold,
                               alert: alert, samples: samples)
    }

    private func readName(_ field: YAMLField?, owner: YAMLField) -> String? {
        guard let field else {
            issues.error(owner.line, "key '\(owner.path)': a probe needs a 'name'")
            return nil
        }
        guard let name = field.string() else { return nil }
        guard name.range(of: "^[a-z0-9][a-z0-9_-]{0,63}$", options: .regularExpression) != nil else {
            issues.error(field.line, "key '\(field.path)': '\(name)' must be 1-64 characters of a-z, 0-9, '-' and '_'")
            return nil
        }
        return name
    }

    /// The check: a step of a read-only type, with `nagios: true` allowed on commands, its
    /// expectations (or the type's default), and its targets checked against the config.
    private func readCheck(_ field: YAMLField?, owner: YAMLField, probe: String) -> (step: StepSpec, nagios: Bool)? {
        guard let field else {
            issues.error(owner.line, "key '\(owner.path)': a probe needs a 'check'")
            return nil
        }
        guard let (read, extra) = StepFieldReader(issues: issues).step(field, fixedID: "check", extraKeys: ["nagios"]) else { return nil }
        var step = read
        var valid = true
        var nagios = false
        if let flag = extra["nagios"] {
            if let value = flag.bool() { nagios = value } else { valid = false }
        }
        func problem(_ message: String, line: Int = field.line) {
            issues.error(line, "key '\(field.path)': probe '\(probe)': \(message)")
            valid = false
        }
        if ProbeDefinition.excludedStepTypes.contains(step.type) {
            problem("a \(step.type.rawValue) step cannot be a probe's check")
            return nil
        }
        if nagios, step.type != .command, let flag = extra["nagios"] { problem("'nagios' is only for command checks", line: flag.line) }
        if step.expect.isEmpty {
            if let defaults = ProbeDefinition.defaultExpectations(for: step.type) { step.expect = defaults } else {
                problem("a \(step.type.rawValue) check needs 'expect' (the values a healthy result has)")
            }
        }
        for message in StepChecks.problems(step, openValues: nagios) { problem(message) }
        let fields = field.mapping() ?? [:]
        for spec in step.type.parameters {
            guard case .target = spec.kind, let target = step.parameters[spec.name]?.stringValue,
                  let message = StepChecks.targetProblem(target, specs: [spec], targets: targets) ?? instanceProblem(target) else { continue }
            problem(message, line: fields[spec.name]?.line ?? field.line)
        }
        return valid ? (step, nagios) : nil
    }

    /// A probe has no alert to pick an instance by, so it checks plain targets only.
    private func instanceProblem(_ target: String) -> String? {
        guard let instances = targets[target]?.instances else { return nil }
        return "target '\(target)' is a set of instances picked by the alert label '\(instances.selectBy)'; a probe checks one plain target"
    }

    private func readPeriod(_ field: YAMLField) -> Duration? {
        guard let period = field.duration(max: Self.periods.upperBound) else { return nil }
        guard period >= Self.periods.lowerBound else {
            issues.error(field.line, "key '\(field.path)': a probe runs at most every 100ms")
            return nil
        }
        return period
    }

    private func readAlert(_ field: YAMLField?, owner: YAMLField, probe: String) -> ProbeAlert? {
        guard let field else {
            issues.error(owner.line, "key '\(owner.path)': a probe needs an 'alert' (at least its 'type')")
            return nil
        }
        guard let parts = field.mapping(allowed: Self.alertKeys) else { return nil }
        guard let typeField = parts["type"] else {
            issues.error(field.line, "key '\(field.path)': needs a 'type' (the alert type SOPs trigger on)")
            return nil
        }
        var valid = true
        let labels = parts["labels"].flatMap { field -> [String: String]? in
            let labels = field.stringMap()
            if labels == nil { valid = false }
            if labels?["probe"] != nil {
                issues.error(field.line, "key '\(field.path)': 'probe' is set by Ops Brain (the probe's name)")
                valid = false
            }
            return labels
        }
        let severity = parts["severity"].flatMap { field -> Severity? in
            let severity = field.choice(Severity.self)
            if severity == nil { valid = false }
            return severity
        }
        guard let type = typeField.string(), valid else { return nil }
        return ProbeAlert(type: type, title: parts["title"]?.string() ?? ProbeAlert.defaultTitle(probe: probe),
                          severity: severity ?? ProbeAlert.defaultSeverity, labels: labels ?? [:])
    }

    /// `samples`: value name → the labels it is stored with (`{}` for none).
    private func readSamples(_ field: YAMLField) -> [String: [String: String]]? {
        guard let entries = field.mapping() else { return nil }
        var samples: [String: [String: String]] = [:]
        for (value, entry) in entries {
            if case .scalar(let scalar) = entry.node, YAMLField.scalarJSON(scalar) == .null {
                samples[value] = [:]
            } else if let labels = entry.stringMap() {
                samples[value] = labels
            } else {
                return nil
            }
        }
        return samples
    }
}
