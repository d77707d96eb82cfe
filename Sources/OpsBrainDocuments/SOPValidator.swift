import Foundation
import OpsBrainCore

/// Checks what a single file's structure cannot show: file placement, references between
/// steps and conditions, targets in the config, read-only SQL, and the never-auto-fix rule.
struct SOPValidator {
    let document: SOPDocument
    /// nil when no config was given: targets are then reported as unchecked warnings.
    let targets: [String: TargetDefinition]?
    let issues: IssueCollector

    static let stepOutcomes: Set<String> = ["passed", "failed", "error"]

    func validate() {
        checkPlacement()
        checkUniqueIDs()
        let steps = document.definition.diagnosis + document.definition.verification.steps
        for (section, list) in [("diagnosis", document.definition.diagnosis), ("verification", document.definition.verification.steps)] {
            for step in list { checkStep(step, line: document.line(of: "\(section).\(step.id)")) }
        }
        for fix in document.definition.fix { checkFix(fix) }
        for (index, rule) in document.definition.escalateIf.enumerated() {
            checkReferences(rule.when, steps: steps, line: document.line(of: "escalate_if.\(index)"), what: "escalate_if")
        }
        checkUncheckedTargets()
        checkPlaceholders()
        checkInstanceLabels()
    }

    /// The SOP's targets that are sets of instances must pick by one alert label, so that one
    /// alert picks the same instance of each.
    private func checkInstanceLabels() {
        guard let targets, let selection = InstanceSelection(sop: document.definition, targets: targets),
              selection.labels.count > 1 else { return }
        let step = document.definition.diagnosis.first { $0.target.map(selection.targets.keys.contains) ?? false }
        issues.error(step.map { document.line(of: "diagnosis.\($0.id)") } ?? 1,
                     "its targets pick instances by different alert labels (\(selection.labelSummary)); one label must pick them all")
    }

    /// `${VAR}` is never expanded: deployment values belong in config targets.
    private func checkPlaceholders() {
        let definition = document.definition
        let parameterSets = definition.diagnosis.map { ("diagnosis.\($0.id)", $0.parameters) }
            + definition.verification.steps.map { ("verification.\($0.id)", $0.parameters) }
            + definition.fix.map { ("fix.\($0.id)", $0.parameters) }
        for (key, parameters) in parameterSets {
            for (name, value) in parameters.sorted(by: { $0.key < $1.key }) where value.jsonText.contains("${") {
                issues.error(document.line(of: key), "parameter '\(name)' holds a ${...} placeholder, which is never "
                             + "expanded: put deployment values in a config target")
            }
        }
    }

    private func checkPlacement() {
        let url = URL(fileURLWithPath: document.path)
        let fileName = url.deletingPathExtension().lastPathComponent
        let folder = url.deletingLastPathComponent().lastPathComponent
        let definition = document.definition
        if fileName != definition.name {
            issues.error(document.line(of: "name"), "name '\(definition.name)' does not match the file name '\(fileName).md'")
        }
        if folder != definition.category {
            issues.error(document.line(of: "category"), "category '\(definition.category)' does not match the folder '\(folder)'")
        }
    }

    private func checkUniqueIDs() {
        var seen: Set<String> = []
        let definition = document.definition
        let ids = definition.diagnosis.map { ("diagnosis", $0.id) } + definition.fix.map { ("fix", $0.id) }
            + definition.verification.steps.map { ("verification", $0.id) }
        for (section, id) in ids where !seen.insert(id).inserted {
            issues.error(document.line(of: "\(section).\(id)"), "step id '\(id)' is used twice")
        }
    }

    private func checkStep(_ step: StepSpec, line: Int) {
        for problem in StepChecks.problems(step) { issues.error(line, "step '\(step.id)': \(problem)") }
        checkTarget(step.target, kinds: step.type.parameters, line: line, owner: "step '\(step.id)'")
    }

    private func checkFix(_ fix: FixOperationSpec) {
        let line = document.line(of: "fix.\(fix.id)")
        if let condition = fix.when {
            checkReferences(condition, steps: document.definition.diagnosis, line: line, what: "fix '\(fix.id)'")
        }
        for spec in fix.operation.descriptor.parameters {
            if case .target = spec.kind { checkTarget(fix.parameters[spec.name]?.stringValue, kinds: [spec], line: line, owner: "fix '\(fix.id)'") }
        }
        if fix.operation == .metricsBackfill, fix.parameters["statement"] == nil, fix.parameters["target"] == nil {
            issues.error(line, "fix '\(fix.id)': metrics_backfill needs 'statement' or 'target'")
        }
        let effective = fix.effectiveClass(targets: targets ?? [:])
        if document.definition.autoFix, effective.isNeverAutoFix, !fix.approvalRequired {
            issues.error(line, "fix '\(fix.id)' is in the never-auto-fix class '\(effective.rawValue)' but the SOP has "
                         + "auto_fix: true: add 'approval: required' to the step or set auto_fix: false")
        }
    }

    /// Checks that every reference is `attempts`, `severity`, or `<step>.<value it yields>`.
    private func checkReferences(_ condition: Condition, steps: [StepSpec], line: Int, what: String) {
        let byID = Dictionary(steps.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for reference in condition.references where reference != "attempts" && reference != "severity" {
            let parts = reference.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, let step = byID[parts[0]] else {
                issues.error(line, "\(what): condition refers to '\(reference)', but there is no step '\(parts[0])'")
                continue
            }
            if let yields = step.type.yields, !yields.contains(parts[1]), !Self.stepOutcomes.contains(parts[1]) {
                issues.error(line, "\(what): step '\(step.id)' (\(step.type.rawValue)) yields no '\(parts[1])'")
            }
        }
    }

    /// A target the config defines must be of a kind the step or fix accepts; one it does not
    /// define is no error: the SOP is then not set up here (`SOPDefinition.missingTargets`).
    private func checkTarget(_ name: String?, kinds specs: [ParameterSpec], line: Int, owner: String) {
        guard let name, let targets, targets[name] != nil else { return }
        if let problem = StepChecks.targetProblem(name, specs: specs, targets: targets) { issues.error(line, "\(owner): \(problem)") }
    }

    private func checkUncheckedTargets() {
        guard targets == nil else { return }
        let definition = document.definition
        let names = Set(definition.diagnosis.compactMap(\.target) + definition.verification.steps.compactMap(\.target)
                        + definition.fix.compactMap(\.target))
        if !names.isEmpty {
            issues.warning(1, "targets not checked (no config given): " + names.sorted().joined(separator: ", "))
        }
    }
}

/// A light check that a diagnosis query is one read-only statement (the runner also enforces it).
enum ReadOnlySQL {
    static let writes = ["insert", "update", "delete", "merge", "drop", "alter", "create", "truncate", "grant",
                         "revoke", "copy", "vacuum", "call", "do", "lock", "set", "reset", "comment"]

    static func problem(in query: String) -> String? {
        let stripped = query.replacingOccurrences(of: #"'([^']|'')*'"#, with: "''", options: .regularExpression)
            .replacingOccurrences(of: #"--[^\n]*"#, with: "", options: .regularExpression)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let body = stripped.hasSuffix(";") ? String(stripped.dropLast()) : stripped
        if body.contains(";") { return "the query holds more than one statement" }
        let words = body.lowercased().split(whereSeparator: { !$0.isLetter && $0 != "_" }).map(String.init)
        guard let first = words.first, first == "select" || first == "with" else {
            return "the query must be a single SELECT (or WITH ... SELECT)"
        }
        if let write = words.first(where: { writes.contains($0) }) {
            return "the query is not read-only ('\(write.uppercased())')"
        }
        return nil
    }
}
