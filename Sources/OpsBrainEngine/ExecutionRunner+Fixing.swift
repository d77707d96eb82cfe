import Foundation
import OpsBrainCore
import OpsBrainPostgres

extension ExecutionRunner {
    /// The engine stopped while fixing: finish what was never started, verify what may have run.
    func resumeFixing(_ record: ExecutionRecord) throws {
        try runFixes(record, state: record.state)
    }

    /// Runs the chosen fix steps of the current attempt, each at most once (idempotency key).
    func runFixes(_ record: ExecutionRecord, state: ExecutionState) throws {
        var current = record
        current.state = state
        guard let entry = sop(of: current) else {
            return try fail(current, reason: "SOP \(current.sopName ?? "?") is no longer active")
        }
        let context = try context(for: current, attempt: state.attempt)
        let earlier = try repository.steps(current.id).filter { $0.phase == "fix" && $0.attempt == state.attempt }
        for fix in entry.definition.fix where current.applicableFixes.contains(fix.id) {
            if let previous = earlier.first(where: { $0.stepID == fix.id }) {
                if previous.status == "succeeded" { continue }
                if previous.status == "started" {
                    try apply(.resumedAfterInterruptedFix, to: current, patch: verificationPatch(entry),
                              audit: "engine stopped during fix '\(fix.id)'; it may have run, so it is not run again: verifying")
                    return
                }
                return try fixFailed(current, fix: fix, message: previous.result["summary"]?.stringValue ?? "failed earlier")
            }
            guard try repository.beginStep(current.id, phase: "fix", stepID: fix.id, attempt: state.attempt) else { continue }
            let outcome = execute(fix, context: context)
            try repository.finishStep(current.id, phase: "fix", stepID: fix.id, attempt: state.attempt,
                                      status: outcome.succeeded ? "succeeded" : "failed", result: json(outcome, of: fix), undo: outcome.undo)
            if !outcome.succeeded { return try fixFailed(current, fix: fix, message: outcome.summary) }
        }
        var patch = verificationPatch(entry)
        patch.fixActions = try fixActionsJSON(current.id)
        try apply(.fixesFinished(succeeded: true, failure: nil), to: current, patch: patch,
                  audit: "fix attempt \(state.attempt) applied; verifying after \(DurationSyntax.format(entry.definition.verification.waitBefore))")
    }

    private func execute(_ fix: FixOperationSpec, context: StepContext) -> OperationOutcome {
        guard let driver = registry.driver(for: fix.operation) else {
            return .failed("no driver registered for \(fix.operation.rawValue)")
        }
        return driver.execute(fix, context: context)
    }

    private func fixFailed(_ record: ExecutionRecord, fix: FixOperationSpec, message: String) throws {
        let state = try apply(.fixesFinished(succeeded: false, failure: "\(fix.id): \(message)"), to: record, patch: ExecutionPatch(),
                              audit: "fix '\(fix.id)' failed: \(message); rolling back")
        var current = record
        current.state = state
        try rollback(current, state: state)
    }

    /// Verification waits `wait_before`; the claim is given up meanwhile (the row says when to come back).
    private func verificationPatch(_ entry: CatalogEntry) -> ExecutionPatch {
        var patch = ExecutionPatch()
        patch.nextActionAt = Date().addingTimeInterval(Double(entry.definition.verification.waitBefore.components.seconds))
        return patch
    }

    /// A fix step's stored result; it names its operation and target, so later runs can tell what
    /// Ops Brain did, and to what.
    func json(_ outcome: OperationOutcome, of fix: FixOperationSpec) -> JSONValue {
        settings.redactor.redact(.object(["succeeded": .bool(outcome.succeeded), "summary": .string(outcome.summary),
                                          "details": outcome.details, "reversible": .bool(outcome.undo != nil),
                                          "operation": .string(fix.operation.rawValue),
                                          "target": fix.target.map(JSONValue.string) ?? .null]))
    }

    private func fixActionsJSON(_ executionID: UUID) throws -> JSONValue {
        .array(try repository.steps(executionID).filter { $0.phase == "fix" }.map { step in
            .object(["step": .string(step.stepID), "attempt": .number(Double(step.attempt)), "status": .string(step.status),
                     "summary": step.result["summary"] ?? .null])
        })
    }

    /// Ends an execution that cannot go on as failed, with its reason.
    func fail(_ record: ExecutionRecord, reason: String) throws {
        var state = record.state
        state.status = .failed
        state.escalationReason = reason
        try repository.transition(record.id, from: record.state.status, to: redacted(state), patch: ExecutionPatch(),
                                  audit: AuditEntry(kind: "status_failed", actor: actor, message: settings.redactor.redact(reason))) { tx in
            try NotifierEvents.enqueue(executionID: record.id, sop: sop(of: record)?.definition, in: tx)
        }
    }

    // MARK: Verification

    /// Runs the verification steps and the alert's own check; success, another attempt, or rollback.
    func verify(_ record: ExecutionRecord) throws {
        guard let entry = sop(of: record) else { return try fail(record, reason: "SOP \(record.sopName ?? "?") is no longer active") }
        let verification = entry.definition.verification
        let context = try context(for: record, attempt: record.state.attempt)
        let results = try runChecks(verification.steps, phase: "verification", record: record, context: context)
        let evaluation = DiagnosisEvaluation(sop: entry.definition, steps: verification.steps, results: results,
                                             attempts: record.state.attempt, severity: context.alert.severity)
        let alertCheck = try alertEvidence(record, context: context, entry: entry)
        if evaluation.allPassed, case .awaitingResolve(_, let until) = alertCheck {
            return try awaitResolve(record, until: until, note: alertCheck.note)
        }
        let passed = evaluation.allPassed && alertCheck.passes == true
        var escalation = passed ? nil : escalationAfterVerification(record, entry: entry, verification: results, evaluation: evaluation)
        var retryFixes = record.applicableFixes
        if !passed, escalation == nil, record.state.attempt < record.state.maxAttempts {
            (retryFixes, escalation) = try rediagnoseBeforeRetry(record, entry: entry, context: context)
        }
        var patch = ExecutionPatch()
        patch.applicableFixes = retryFixes
        var stepJSON: [String: JSONValue] = [:]
        for step in verification.steps { stepJSON[step.id] = json(results[step.id] ?? .failure("not run"), verdict: evaluation.verdicts[step.id] ?? .error) }
        patch.verificationResults = .object(["attempt": .number(Double(record.state.attempt)), "passed": .bool(passed),
                                             "steps": .object(stepJSON), "alert_check": .string(alertCheck.note),
                                             "alert_check_passed": .bool(alertCheck.passes == true)])
        let state = try apply(.verificationFinished(passed: passed, escalation: escalation), to: record, patch: patch,
                              audit: passed ? "verified: " + alertCheck.note
                                  : "verification failed (attempt \(record.state.attempt)): "
                                  + VerificationSummary.failures(verification.steps.map(\.id), evaluation.verdicts, alertCheck: alertCheck)
                                  + (escalation.map { "; \($0)" } ?? ""))
        var current = record
        current.state = state
        current.applicableFixes = retryFixes
        switch state.status {
        case .fixing: try runFixes(current, state: state)
        case .rollingBack: try rollback(current, state: state)
        default: break
        }
    }

    /// Before another attempt, the diagnosis runs again: the world may have changed since the
    /// decision (a person's session that was too young to count may now be the one stuck). An
    /// escalation rule that holds now ends the attempts; the retry runs only the decided fixes whose
    /// conditions still hold, and none left means there is nothing safe to repeat.
    private func rediagnoseBeforeRetry(_ record: ExecutionRecord, entry: CatalogEntry,
                                       context: StepContext) throws -> (fixes: [String], escalation: String?) {
        try rediagnose(record, entry: entry, context: context, phase: "diagnosis", moment: "before attempt \(record.state.attempt + 1)")
    }

    /// Runs the diagnosis again (recorded under `phase`) and keeps the decided fixes whose conditions
    /// still hold; returns why none may run when an escalation rule holds or no decided fix applies.
    func rediagnose(_ record: ExecutionRecord, entry: CatalogEntry, context: StepContext, phase: String,
                    moment: String) throws -> (fixes: [String], escalation: String?) {
        let sop = entry.definition
        let results = try runChecks(sop.diagnosis, phase: phase, record: record, context: context)
        let evaluation = DiagnosisEvaluation(sop: sop, steps: sop.diagnosis, results: results, attempts: record.state.attempt,
                                             severity: context.alert.severity)
        if let rule = evaluation.escalations.first { return ([], rule.reason) }
        let stillApplicable = Set(evaluation.applicableFixes.map(\.id))
        let fixes = record.applicableFixes.filter(stillApplicable.contains)
        guard fixes.contains(where: { id in sop.fix.contains { $0.id == id && !$0.operation.isCommunication } }) else {
            return ([], "re-diagnosed \(moment): no decided fix applies any more"
                        + (evaluation.findings.isEmpty ? "" : " (findings: " + evaluation.findings.joined(separator: ", ") + ")"))
        }
        return (fixes, nil)
    }

    /// The alert's part of the verification: its source's resolve, or its probe's check run again.
    private func alertEvidence(_ record: ExecutionRecord, context: StepContext, entry: CatalogEntry) throws -> AlertEvidence {
        let status = try record.alertID.flatMap { try repository.alertStatus($0) }.map { IncomingAlert.State(rawValue: $0) ?? .firing }
        let required = entry.definition.verification.rerunAlertCheck || record.verifyHard
        let probe = context.alert.labels["probe"]
        var probePassed: Bool?
        if status == .firing, required, probe != nil {
            let check = registry.run(StepSpec(id: "alert_check", name: "alert check", type: .rerunAlertCheck), context: context)
            probePassed = check.values["probe"] == nil ? nil : check.values["ok"]?.boolValue
        }
        let fixEnded = try repository.steps(record.id).filter { $0.phase == "fix" && $0.attempt == record.state.attempt }
            .map { $0.finishedAt ?? $0.startedAt }.max() ?? Date()
        let deadline = fixEnded.addingTimeInterval(entry.definition.verification.waitBefore.asSeconds + settings.resolveWait.asSeconds)
        return AlertEvidence.judge(source: context.alert.source, status: status, probe: probe, probePassed: probePassed,
                                   required: required, hard: record.verifyHard, now: Date(), deadline: deadline,
                                   bound: settings.resolveWait)
    }

    /// The SOP's checks pass but the source has not resolved yet: look again at `until`, or sooner
    /// when the resolve arrives (intake wakes verifying runs of the alert it resolves).
    private func awaitResolve(_ record: ExecutionRecord, until: Date, note: String) throws {
        try repository.awaitResolve(record.id, until: until, attempt: record.state.attempt,
                                    audit: AuditEntry(kind: "verification_waiting", actor: actor,
                                                      message: "the SOP's checks pass; \(note)"))
    }

    private func escalationAfterVerification(_ record: ExecutionRecord, entry: CatalogEntry, verification: [String: StepResult],
                                             evaluation: DiagnosisEvaluation) -> String? {
        var results = verification
        var verdicts = evaluation.verdicts
        for (id, stored) in record.diagnosisResults?["steps"]?.objectValue ?? [:] where results[id] == nil {
            results[id] = StepResult(values: stored["values"]?.objectValue ?? [:], error: stored["error"]?.stringValue)
            verdicts[id] = stored["verdict"]?.stringValue.flatMap(StepVerdict.init(rawValue:)) ?? .error
        }
        let scope = ConditionScope(results: results, verdicts: verdicts, attempts: record.state.attempt,
                                   severity: Severity.medium)
        return entry.definition.escalateIf.first { $0.when.evaluate(scope.resolve) }?.reason
    }

    // MARK: Rollback

    /// Undoes every reversible fix step that succeeded, newest first, each at most once.
    func rollback(_ record: ExecutionRecord, state: ExecutionState) throws {
        var current = record
        current.state = state
        let entry = sop(of: current)
        let context = try context(for: current, attempt: state.attempt)
        let done = try repository.steps(current.id)
        var undone: [String] = []
        var problems: [String] = []
        for step in done.filter({ $0.phase == "fix" && $0.status == "succeeded" }).reversed() {
            guard let undo = step.undo, let fix = entry?.definition.fix.first(where: { $0.id == step.stepID }),
                  let driver = registry.driver(for: fix.operation) else {
                if step.undo == nil { problems.append("\(step.stepID) is not reversible") }
                continue
            }
            guard try repository.beginStep(current.id, phase: "rollback", stepID: step.stepID, attempt: step.attempt) else { continue }
            let outcome = driver.rollback(fix, undo: undo, context: context)
            try repository.finishStep(current.id, phase: "rollback", stepID: step.stepID, attempt: step.attempt,
                                      status: outcome.succeeded ? "succeeded" : "failed", result: json(outcome, of: fix), undo: nil)
            if outcome.succeeded { undone.append(step.stepID) } else { problems.append("\(step.stepID): \(outcome.summary)") }
        }
        let summary = (undone.isEmpty ? "nothing undone" : "undid " + undone.joined(separator: ", "))
            + (problems.isEmpty ? "" : "; " + problems.joined(separator: "; "))
        let failedUndo = problems.contains { !$0.hasSuffix("is not reversible") }
        try apply(.rollbackFinished(succeeded: !failedUndo, summary: summary), to: current,
                  patch: ExecutionPatch(), audit: "rollback: \(summary)")
    }
}
