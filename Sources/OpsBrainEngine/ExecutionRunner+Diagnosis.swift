import Foundation
import OpsBrainCore
import OpsBrainPostgres

extension ExecutionRunner {
    /// pending → diagnosing, then runs the diagnosis and decides.
    func diagnose(_ record: ExecutionRecord) throws {
        try apply(.start, to: record, patch: ExecutionPatch(), audit: "diagnosing")
    }

    /// The engine stopped while diagnosing: the checks are read-only, so run them again.
    func rediagnose(_ record: ExecutionRecord) throws {
        try runDiagnosis(record)
    }

    func runDiagnosis(_ record: ExecutionRecord) throws {
        let context = try context(for: record, attempt: 0)
        guard let entry = sop(of: record) else { return try decideUnknown(record, context: context) }
        guard entry.isSetUp else { return try escalateNotSetUp(record, entry: entry) }
        if let placement = record.instance, placement.scope != .instance {
            return try escalateOutsideInstances(record, entry: entry, placement: placement, context: context)
        }
        let sop = entry.definition
        let instance = record.instance?.key
        let results = try runChecks(sop.diagnosis, phase: .diagnosis, record: record, context: context)
        let evaluation = DiagnosisEvaluation(sop: sop, steps: sop.diagnosis, results: results, attempts: 0,
                                             severity: context.alert.severity)
        let facts = try repository.environmentFacts(sopID: entry.id, instance: instance,
                                                    hourOfDay: Calendar.current.component(.hour, from: Date()))
        let confidence = ConfidenceScorer.score(sop: try repository.successRecord(entry.id),
                                                instance: try instance.map { try repository.successRecord(entry.id, instance: $0) },
                                                clarity: evaluation.clarity, patternMatch: record.patternScore ?? 0, environment: facts)
        let mode = Self.stricter(settings.mode, entry.definition.mode)
        var summary: JSONValue = .null
        var next: [ExecutionAction] = []
        let state = try repository.decideLocked(
            executionID: record.id, sopID: entry.id, instance: instance, budgetPerHour: settings.autoFixBudgetPerHour,
            circuitBreakerThreshold: settings.circuitBreakerFailures, repeatLimit: settings.repeatLimit,
            decide: { limits in
                let (decision, reason) = DecisionPolicy.decide(DecisionInput(
                    mode: mode, sop: sop, diagnosis: evaluation, confidence: confidence.total, limits: limits, targets: settings.targets))
                let fixes = Self.fixesToRun(decision, evaluation.applicableFixes)
                let escalateAfter = fixes.contains { $0.operation == .escalate }
                let (state, actions) = try ExecutionMachine.apply(.diagnosisFinished(decision, reason: reason, escalateAfterFix: escalateAfter),
                                                                  to: record.state)
                next = actions
                var patch = ExecutionPatch()
                patch.diagnosisResults = diagnosisJSON(evaluation, results: results, steps: sop.diagnosis)
                patch.confidence = confidence
                patch.decision = decision.word
                patch.applicableFixes = fixes.map(\.id)
                patch.verifyHard = decision == .autoFix(verifyHard: true)
                patch.nextActionAt = state.status == .fixing ? Date()
                    : state.status == .awaitingApproval ? Date().addingTimeInterval(settings.approvalTTL.asSeconds) : nil
                if state.status == .dryRun { patch.fixActions = try plans(fixes, context: context) }
                summary = settings.redactor.redact(approvalSummary(sop: sop, fixes: fixes, confidence: confidence, reason: reason, context: context))
                let message = settings.redactor.redact("\(decision.word): \(reason) (confidence \(confidence.total))")
                return (record.state.status, redacted(state), patch,
                        AuditEntry(kind: "decision", actor: actor, message: message,
                                   details: .object(["confidence": confidence.json, "findings": .array(evaluation.findings.map(JSONValue.string))])))
            },
            extra: { tx, state in
                if state.status == .awaitingApproval { try ApprovalRepository.request(record.id, summary: summary, in: tx) }
                if !state.dryRun { try NotifierEvents.enqueue(executionID: record.id, sop: sop, in: tx) }
            })
        settings.metrics?.observe("opsbrain_decision_latency_seconds", Date().timeIntervalSince(context.alert.createdAt),
                                  buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
                                  help: "From the alert's arrival to the committed decision (steps included).")
        try follow(next, after: record, state: state)
    }

    /// No SOP matched: record what is known about the alert and let the policy escalate (or just report).
    private func decideUnknown(_ record: ExecutionRecord, context: StepContext) throws {
        let mode = settings.mode
        var (decision, reason) = DecisionPolicy.decide(DecisionInput(mode: mode, sop: nil, diagnosis: nil, confidence: 0,
                                                                     limits: LimitState(), targets: settings.targets))
        reason += Self.nearMissHint(catalog.nearMisses(for: context.alert), alert: context.alert)
        var patch = ExecutionPatch()
        patch.decision = decision.word
        patch.diagnosisResults = .object([
            "generic": .object(["alert_type": .string(context.alert.alertType), "title": .string(context.alert.title),
                                "severity": .string(context.alert.severity.rawValue),
                                "labels": .object(context.alert.labels.mapValues(JSONValue.string)),
                                "evidence": settings.redactor.redact(context.alert.evidence)]),
        ])
        try apply(.diagnosisFinished(decision, reason: reason, escalateAfterFix: false), to: record, patch: patch,
                  audit: "\(decision.word): \(reason)")
    }

    /// The SOP names targets this deployment does not define: nothing is run against them, and the
    /// escalation says which SOP matched and what it needs.
    private func escalateNotSetUp(_ record: ExecutionRecord, entry: CatalogEntry) throws {
        let needs = entry.missingTargets.map { "'\($0)'" }.joined(separator: ", ")
        let reason = "SOP \(entry.definition.name) matched, but it is not set up here: it needs the target"
            + (entry.missingTargets.count == 1 ? " " : "s ") + needs
            + " in opsbrain.yaml (opsbrain sop list --inactive shows what each SOP needs)"
        try escalateWithoutRunning(record, reason: reason,
                                   findings: ["not_set_up": .object(["sop": .string(entry.definition.name),
                                                                     "missing_targets": .array(entry.missingTargets.map(JSONValue.string))])])
    }

    /// Escalates before any step runs, recording why in the diagnosis results.
    func escalateWithoutRunning(_ record: ExecutionRecord, reason: String, findings: [String: JSONValue]) throws {
        var patch = ExecutionPatch()
        patch.decision = Decision.escalate.word
        patch.diagnosisResults = .object(findings)
        try apply(.diagnosisFinished(.escalate, reason: reason, escalateAfterFix: false), to: record, patch: patch,
                  audit: "escalate: \(reason)")
    }

    /// Why SOPs that list this alert's type did not take it, so "unknown" is never a dead end.
    static func nearMissHint(_ misses: [(sop: String, reason: String)], alert: AlertSnapshot) -> String {
        guard !misses.isEmpty else { return "" }
        let fromLabels = ["alertmanager", "grafana"].contains(alert.source) && alert.labels["severity"] == nil
        let defaulted = fromLabels && misses.contains { $0.reason.contains("severity") }
            ? " (the alert has no severity label, so it is medium: add one to the rule)" : ""
        return "; " + misses.map { "SOP \($0.sop) lists '\(alert.alertType)' but \($0.reason)" }.joined(separator: "; ") + defaulted
    }

    /// The fixes the decision lets run: all applicable ones, or only safe ones for safe-fix-then-escalate.
    static func fixesToRun(_ decision: Decision, _ applicable: [FixOperationSpec]) -> [FixOperationSpec] {
        guard decision == .safeFixThenEscalate else { return applicable }
        return applicable.filter {
            $0.operation.isCommunication || ($0.operation.descriptor.risk == .low && $0.operation.descriptor.canRollBack)
        }
    }

    /// The stricter of the engine's mode and an SOP's own mode.
    static func stricter(_ global: EngineMode, _ sop: EngineMode?) -> EngineMode {
        let order: [EngineMode] = [.diagnoseOnly, .approval, .auto]
        guard let sop else { return global }
        return order.firstIndex(of: sop)! < order.firstIndex(of: global)! ? sop : global
    }

    private func diagnosisJSON(_ evaluation: DiagnosisEvaluation, results: [String: StepResult], steps: [StepSpec]) -> JSONValue {
        var stepJSON: [String: JSONValue] = [:]
        for step in steps {
            stepJSON[step.id] = json(results[step.id] ?? .failure("not run"), of: step, verdict: evaluation.verdicts[step.id] ?? .error)
        }
        return .object(["steps": .object(stepJSON), "findings": .array(evaluation.findings.map(JSONValue.string)),
                        "clarity": .number(Double(evaluation.clarity)),
                        "applicable_fixes": .array(evaluation.applicableFixes.map { .string($0.id) })])
    }

    /// Exactly what each fix would do, for dry runs and approval requests.
    func plans(_ fixes: [FixOperationSpec], context: StepContext) throws -> JSONValue {
        .array(fixes.map { fix in
            let plan: String
            if let driver = registry.driver(for: fix.operation) {
                plan = (try? driver.plan(fix, context: context)).map(settings.redactor.redact) ?? "cannot plan: target missing"
            } else {
                plan = "no driver registered for \(fix.operation.rawValue)"
            }
            return .object(["id": .string(fix.id), "operation": .string(fix.operation.rawValue), "plan": .string(plan),
                            "class": .string(fix.effectiveClass(targets: settings.targets).rawValue),
                            "can_roll_back": .bool(fix.operation.descriptor.canRollBack)])
        })
    }

    private func approvalSummary(sop: SOPDefinition, fixes: [FixOperationSpec], confidence: ConfidenceBreakdown,
                                 reason: String, context: StepContext) -> JSONValue {
        .object(["sop": .string(sop.name), "risk": .string(sop.risk.rawValue), "reason": .string(reason),
                 "confidence": .number(Double(confidence.total)), "operations": (try? plans(fixes, context: context)) ?? .array([])])
    }
}
