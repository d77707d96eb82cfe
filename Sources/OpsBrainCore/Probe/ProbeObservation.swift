import Foundation

/// One run of a probe's check, judged: its values (with Nagios state and perfdata when the probe
/// is a Nagios plugin), whether it passed, and what it stores and raises.
public struct ProbeObservation: Sendable, Equatable {
    public var probe: String
    public var at: Date
    public var verdict: StepVerdict
    /// The check's values; for a Nagios probe also `state`, `summary` and one value per perfdata label.
    public var values: [String: JSONValue]
    /// Why the check could not run, when it could not.
    public var error: String?
    /// Sample labels per value name, for values derived from perfdata units and thresholds.
    var derivedLabels: [String: [String: String]] = [:]

    /// Judges `result` of `definition`'s check, taken at `at`.
    public init(definition: ProbeDefinition, result: StepResult, at: Date) {
        probe = definition.name
        self.at = at
        values = result.values
        error = result.error
        if definition.nagios, result.error == nil, let code = result.values["exit_code"]?.doubleValue {
            let output = NagiosOutput(exitCode: Int(code), output: result.values["stdout"]?.stringValue ?? "")
            values["state"] = .string(output.state.rawValue)
            values["summary"] = .string(output.summary)
            for datum in output.perfdata {
                let key = Self.reserved.contains(datum.label) ? "perf_" + datum.label : datum.label
                values[key] = .number(datum.value)
                derivedLabels[key] = Self.labels(of: datum)
            }
        }
        var judged = result
        judged.values = values
        verdict = DiagnosisEvaluation.verdict(definition.check, judged)
    }

    /// Value names a perfdata label never replaces.
    static let reserved: Set<String> = ["exit_code", "stdout", "stderr", "state", "summary"]

    /// True when every expectation held.
    public var passed: Bool { verdict == .passed }

    /// The samples to store: each numeric value as its own series `<probe>.<value>`, labelled with
    /// `probe` and `value` plus what is known of it (`kind`, `unit`, `threshold`); a probe with a
    /// `samples` list stores only those values, with its labels on top.
    public func samples(for definition: ProbeDefinition) -> [ProbeSample] {
        values.keys.sorted().compactMap { name -> ProbeSample? in
            guard let value = values[name], value.isNumber, let number = value.doubleValue, number.isFinite else { return nil }
            var labels = ["probe": probe, "value": name]
            labels.merge(Self.typeLabels(definition.check.type, value: name, probe: probe)) { $1 }
            labels.merge(derivedLabels[name] ?? [:]) { $1 }
            if let chosen = definition.samples {
                guard let extra = chosen[name] else { return nil }
                labels.merge(extra) { $1 }
            }
            return ProbeSample(probe: "\(probe).\(name)", at: at, value: number, ok: passed, labels: labels)
        }
    }

    /// The alert's evidence: the check's values, its error, and how many failures in a row.
    public func evidence(consecutiveFailures: Int) -> JSONValue {
        var fields: [String: JSONValue] = [
            "probe": .string(probe), "verdict": .string(verdict.rawValue), "values": .object(values),
            "consecutive_failures": .number(Double(consecutiveFailures)),
        ]
        if let error { fields["error"] = .string(error) }
        return .object(fields)
    }

    /// The alert to store for `action`: firing for a raise, resolved for a resolve.
    public func alert(_ action: ProbeTracker.Action, definition: ProbeDefinition, consecutiveFailures: Int) -> IncomingAlert {
        var labels = definition.alert.labels
        labels["probe"] = definition.name
        return IncomingAlert(source: "probe", alertType: definition.alert.type, title: definition.alert.title,
                             severity: definition.alert.severity, labels: labels,
                             evidence: evidence(consecutiveFailures: consecutiveFailures),
                             fingerprint: definition.fingerprint, state: action == .raise ? .firing : .resolved)
    }

    /// What the report's predictions need to know of a step type's values.
    static func typeLabels(_ type: StepType, value: String, probe: String) -> [String: String] {
        switch (type, value) {
        case (.diskUsage, "used_percent"): return ["kind": "usage", "unit": "percent", "name": probe]
        case (.redis, "used_percent"): return ["kind": "usage", "unit": "percent", "name": probe]
        case (.tlsExpiry, "days_left"): return ["kind": "tls_expiry", "name": probe]
        case (_, "latency_ms"): return ["unit": "ms"]
        default: return [:]
        }
    }

    /// The unit and thresholds of a perfdata item, as sample labels.
    static func labels(of datum: PerfDatum) -> [String: String] {
        var labels: [String: String] = [:]
        switch datum.unit {
        case "": break
        case "%": labels["unit"] = "percent"
        case "c": labels["unit"] = "counter"
        default: labels["unit"] = datum.unit
        }
        // Plain numbers mean "alert above"; ranges (10:20, @, ~) are not thresholds to trend towards.
        let limits = [datum.warning, datum.critical].compactMap { $0.flatMap(Double.init) }
        if !limits.isEmpty { labels["threshold"] = limits.map { Self.text($0) }.joined(separator: ",") }
        return labels
    }

    private static func text(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
    }
}
