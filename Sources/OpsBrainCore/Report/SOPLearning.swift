/// The weekly learning analysis: patterns in an SOP's failures that a person should look at.
///
/// Reads only executions where a fix ran and was judged (`wasEffective`). Finds fix steps that
/// keep failing, failure reasons that repeat, diagnosis results that precede failures but rarely
/// successes, versions that do worse than the one before, and SOPs that fail more than they work.
public enum SOPLearning {
    /// Suggestions for every SOP in `executions`, by SOP, kind and subject.
    public static func analyze(_ executions: [ExecutionFact]) -> [SOPSuggestion] {
        let judged = executions.filter { $0.wasEffective != nil && $0.sopName != nil }
        let bySOP = Dictionary(grouping: judged) { $0.sopName! }
        return bySOP.keys.sorted().flatMap { name -> [SOPSuggestion] in
            let runs = bySOP[name]!.sorted { $0.startedAt < $1.startedAt }
            let version = runs.compactMap(\.sopVersion).max()
            return (failingSteps(name, runs) + repeatedReasons(name, runs) + precursors(name, runs)
                    + versionRegression(name, runs) + lowSuccess(name, runs)).map { suggestion in
                var copy = suggestion
                copy.sopVersion = copy.sopVersion ?? version
                return copy
            }
        }
    }

    private static func failures(_ runs: [ExecutionFact]) -> [ExecutionFact] { runs.filter { $0.wasEffective == false } }

    private static func failingSteps(_ sop: String, _ runs: [ExecutionFact]) -> [SOPSuggestion] {
        var errors: [String: [String]] = [:]
        for run in runs { for (step, message) in run.failedFixSteps { errors[step, default: []].append(message) } }
        return errors.keys.sorted().compactMap { step in
            let messages = errors[step]!
            guard messages.count >= 2, Double(messages.count) / Double(runs.count) >= 0.3 else { return nil }
            let distinct = Array(Set(messages)).sorted().prefix(3)
            return SOPSuggestion(
                kind: .failingStep, sopName: sop, subject: step,
                title: "Fix step '\(step)' failed in \(messages.count) of \(runs.count) runs",
                detail: "Last error: \(messages.last!). Add a diagnosis check that predicts this failure, or a 'when' condition so the step runs only when it can work.",
                evidence: .object(["failures": .number(Double(messages.count)), "runs": .number(Double(runs.count)),
                                   "errors": .array(distinct.map(JSONValue.string))]))
        }
    }

    private static func repeatedReasons(_ sop: String, _ runs: [ExecutionFact]) -> [SOPSuggestion] {
        let reasons = Dictionary(grouping: failures(runs).compactMap(\.escalationReason).map(normalized), by: { $0 })
        return reasons.keys.sorted().compactMap { reason in
            let count = reasons[reason]!.count
            guard count >= 2 else { return nil }
            return SOPSuggestion(
                kind: .repeatedFailure, sopName: sop, subject: String(reason.prefix(120)),
                title: "\(count) failed runs share the reason '\(reason.prefix(160))'",
                detail: "If the cause lies outside what the SOP can fix, add an escalate_if rule for it so the SOP escalates at once instead of trying a fix that will not work.",
                evidence: .object(["failures": .number(Double(count)), "reason": .string(reason)]))
        }
    }

    private static func precursors(_ sop: String, _ runs: [ExecutionFact]) -> [SOPSuggestion] {
        let failed = failures(runs)
        let succeeded = runs.filter { $0.wasEffective == true }
        guard failed.count >= 2, !succeeded.isEmpty else { return [] }
        let signals = Set(failed.flatMap(\.diagnosisSignals))
        let scored = signals.compactMap { signal -> (String, Int, Int)? in
            let inFailures = failed.filter { $0.diagnosisSignals.contains(signal) }.count
            let inSuccesses = succeeded.filter { $0.diagnosisSignals.contains(signal) }.count
            guard inFailures >= 2, Double(inFailures) / Double(failed.count) >= 0.6,
                  Double(inSuccesses) / Double(succeeded.count) <= 0.2 else { return nil }
            return (signal, inFailures, inSuccesses)
        }.sorted { ($1.1, $0.0) < ($0.1, $1.0) }
        return scored.prefix(3).map { signal, inFailures, inSuccesses in
            SOPSuggestion(
                kind: .precursor, sopName: sop, subject: signal,
                title: "Diagnosis '\(signal)' preceded \(inFailures) of \(failed.count) failures",
                detail: "It appeared before \(inSuccesses) of \(succeeded.count) successes. Consider an escalate_if rule or a 'when' condition on the fix for this diagnosis result.",
                evidence: .object(["signal": .string(signal), "failures_with": .number(Double(inFailures)),
                                   "failures": .number(Double(failed.count)), "successes_with": .number(Double(inSuccesses)),
                                   "successes": .number(Double(succeeded.count))]))
        }
    }

    private static func versionRegression(_ sop: String, _ runs: [ExecutionFact]) -> [SOPSuggestion] {
        let byVersion = Dictionary(grouping: runs.filter { $0.sopVersion != nil }) { $0.sopVersion! }
        let versions = byVersion.keys.sorted()
        guard versions.count >= 2 else { return [] }
        let latest = versions[versions.count - 1], previous = versions[versions.count - 2]
        let (newRuns, oldRuns) = (byVersion[latest]!, byVersion[previous]!)
        guard newRuns.count >= 3, oldRuns.count >= 3 else { return [] }
        let newRate = rate(newRuns), oldRate = rate(oldRuns)
        guard oldRate - newRate >= 0.25 else { return [] }
        return [SOPSuggestion(
            kind: .versionRegression, sopName: sop, sopVersion: latest, subject: "v\(latest)",
            title: "Version \(latest) succeeds in \(percent(newRate)) of runs; version \(previous) did in \(percent(oldRate))",
            detail: "Compare the two versions (opsbrain sop show \(sop)) and review what changed.",
            evidence: .object(["latest": .number(Double(latest)), "latest_runs": .number(Double(newRuns.count)),
                               "latest_rate": .number(newRate), "previous": .number(Double(previous)),
                               "previous_runs": .number(Double(oldRuns.count)), "previous_rate": .number(oldRate)]))]
    }

    private static func lowSuccess(_ sop: String, _ runs: [ExecutionFact]) -> [SOPSuggestion] {
        let successRate = rate(runs)
        guard runs.count >= 4, successRate < 0.5 else { return [] }
        return [SOPSuggestion(
            kind: .lowSuccess, sopName: sop, subject: "success_rate",
            title: "Fixes worked in only \(percent(successRate)) of \(runs.count) runs",
            detail: "Until the SOP is improved, consider auto_fix: false (or requires_approval) so a person decides each fix.",
            evidence: .object(["runs": .number(Double(runs.count)), "rate": .number(successRate)]))]
    }

    private static func rate(_ runs: [ExecutionFact]) -> Double {
        runs.isEmpty ? 0 : Double(runs.filter { $0.wasEffective == true }.count) / Double(runs.count)
    }

    private static func percent(_ value: Double) -> String { "\(Int((value * 100).rounded()))%" }

    /// A reason with numbers replaced, so "after 2 attempts" and "after 3 attempts" group together.
    static func normalized(_ reason: String) -> String {
        var out = ""
        var inNumber = false
        for character in reason {
            if character.isNumber {
                if !inNumber { out += "N" }
                inNumber = true
            } else {
                inNumber = false
                out.append(character)
            }
        }
        return out
    }
}
