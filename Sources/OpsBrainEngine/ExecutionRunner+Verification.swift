import Foundation
import OpsBrainCore
import OpsBrainPostgres

extension ExecutionRunner {
    /// Runs the verification steps and the alert's own check; success, another attempt, rollback,
    /// or a later look when one witness has not caught up yet.
    ///
    /// A pass needs both the SOP's checks and the alert's word. When the checks pass and a source
    /// that resolves has not resolved yet, the run waits for it; when the source has resolved and a
    /// check still lags (a rate over a window that still holds the errors), the checks run again.
    /// Either wait ends at the same bound, fix end + `wait_before` + `engine.resolve_wait`. An alert
    /// a person resolved by hand ends the run `resolved_by_hand`, with the checks recorded: the
    /// source never confirmed the fix, so it is neither a success nor a failure.
    func verify(_ record: ExecutionRecord) throws {
        guard let entry = sop(of: record) else { return try fail(record, reason: "SOP \(record.sopName ?? "?") is no longer active") }
        let verification = entry.definition.verification
        let context = try context(for: record, attempt: record.state.attempt)
        let results = try runChecks(verification.steps, phase: .verification, record: record, context: context)
        let evaluation = DiagnosisEvaluation(sop: entry.definition, steps: verification.steps, results: results,
                                             attempts: record.state.attempt, severity: context.alert.severity)
        let deadline = try verificationDeadline(record, entry: entry)
        let alertCheck = try alertEvidence(record, context: context, entry: entry, deadline: deadline)
        var escalation = evaluation.allPassed ? nil : escalationAfterVerification(record, entry: entry, verification: results, evaluation: evaluation)
        let failed = verification.steps.map(\.id).filter { evaluation.verdicts[$0] != .passed }
        var patch = ExecutionPatch()
        patch.verificationResults = verificationRecord(verification.steps, results: results, evaluation: evaluation,
                                                       attempt: record.state.attempt, alertCheck: alertCheck)
        if case .resolvedByHand(let person, let reason) = alertCheck {
            try apply(.alertResolvedByHand(by: person, reason: reason), to: record, patch: patch,
                      audit: "not verified: \(alertCheck.note); the SOP's checks "
                          + (failed.isEmpty ? "pass" : "do not all pass (\(failed.joined(separator: ", ")))"))
            return
        }
        if let wait = VerificationWait.next(checksPassed: evaluation.allPassed, evidence: alertCheck, escalation: escalation,
                                            now: Date(), deadline: deadline, recheck: settings.verificationRecheck) {
            return try repository.awaitVerdict(record.id, until: wait.until, attempt: record.state.attempt, waitingFor: wait.kind,
                                               audit: AuditEntry(kind: "verification_waiting", actor: actor,
                                                                 message: wait.kind.note(failedChecks: failed, evidence: alertCheck, deadline: deadline)))
        }
        let passed = evaluation.allPassed && alertCheck.passes == true
        var retryFixes = record.applicableFixes
        if !passed, escalation == nil, record.state.attempt < record.state.maxAttempts {
            (retryFixes, escalation) = try rediagnoseBeforeRetry(record, entry: entry, context: context)
        }
        patch.applicableFixes = retryFixes
        try apply(.verificationFinished(passed: passed, escalation: escalation), to: record, patch: patch,
                              audit: passed ? "verified: " + alertCheck.note
                                  : "verification failed (attempt \(record.state.attempt)): "
                                  + VerificationSummary.failures(failed, alertCheck: alertCheck)
                                  + (escalation.map { "; \($0)" } ?? ""))
    }

    /// What a verification found, as stored in `verification_results`: each check with its verdict,
    /// whether it passed (the checks and the alert's word), and the alert's note.
    private func verificationRecord(_ steps: [StepSpec], results: [String: StepResult], evaluation: DiagnosisEvaluation,
                                    attempt: Int, alertCheck: AlertEvidence) -> JSONValue {
        var stepJSON: [String: JSONValue] = [:]
        for step in steps {
            stepJSON[step.id] = json(results[step.id] ?? .failure("not run"), of: step, verdict: evaluation.verdicts[step.id] ?? .error)
        }
        return .object(["attempt": .number(Double(attempt)), "passed": .bool(evaluation.allPassed && alertCheck.passes == true),
                        "steps": .object(stepJSON), "alert_check": .string(alertCheck.note),
                        "alert_check_failed": .bool(alertCheck.passes == false)])
    }

    /// Before another attempt, the diagnosis runs again: the world may have changed since the
    /// decision (a person's session that was too young to count may now be the one stuck). An
    /// escalation rule that holds now ends the attempts; the retry runs only the decided fixes whose
    /// conditions still hold, and none left means there is nothing safe to repeat.
    private func rediagnoseBeforeRetry(_ record: ExecutionRecord, entry: CatalogEntry,
                                       context: StepContext) throws -> (fixes: [String], escalation: String?) {
        try rediagnose(record, entry: entry, context: context, phase: .diagnosis, moment: "before attempt \(record.state.attempt + 1)")
    }

    /// Runs the diagnosis again (recorded under `phase`) and keeps the decided fixes whose conditions
    /// still hold; returns why none may run when an escalation rule holds or no decided fix applies.
    func rediagnose(_ record: ExecutionRecord, entry: CatalogEntry, context: StepContext, phase: StepPhase,
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

    /// The end of verification's bound: the fix's last step of this attempt, plus `wait_before`,
    /// plus `engine.resolve_wait`.
    private func verificationDeadline(_ record: ExecutionRecord, entry: CatalogEntry) throws -> Date {
        let fixEnded = try repository.steps(record.id).filter { $0.phase == .fix && $0.attempt == record.state.attempt }
            .map { $0.finishedAt ?? $0.startedAt }.max() ?? record.startedAt
        return fixEnded.addingTimeInterval(entry.definition.verification.waitBefore.asSeconds + settings.resolveWait.asSeconds)
    }

    /// The alert's part of the verification: its source's resolve, or its probe's check run again.
    private func alertEvidence(_ record: ExecutionRecord, context: StepContext, entry: CatalogEntry, deadline: Date) throws -> AlertEvidence {
        let reading = try record.alertID.map { try repository.alertReading(executionID: record.id, alertID: $0) }
        let required = entry.definition.verification.rerunAlertCheck || record.verifyHard
        let probe = context.alert.labels["probe"]
        var probePassed: Bool?
        if reading == .firing, required, probe != nil {
            let check = registry.run(StepSpec(id: "alert_check", name: "alert check", type: .rerunAlertCheck), context: context)
            probePassed = check.values["probe"] == nil ? nil : check.values["ok"]?.boolValue
        }
        return AlertEvidence.judge(source: context.alert.source, reading: reading, probe: probe, probePassed: probePassed,
                                   required: required, hard: record.verifyHard, now: Date(), deadline: deadline,
                                   bound: settings.resolveWait)
    }

    private func escalationAfterVerification(_ record: ExecutionRecord, entry: CatalogEntry, verification: [String: StepResult],
                                             evaluation: DiagnosisEvaluation) -> String? {
        var results = verification
        var verdicts = evaluation.verdicts
        for (id, stored) in record.diagnosisResults?["steps"]?.objectValue ?? [:] where results[id] == nil {
            results[id] = Self.stepResult(stored: stored)
            verdicts[id] = stored["verdict"]?.stringValue.flatMap(StepVerdict.init(rawValue:)) ?? .error
        }
        let scope = ConditionScope(results: results, verdicts: verdicts, attempts: record.state.attempt,
                                   severity: Severity.medium)
        return entry.definition.escalateIf.first { $0.when.evaluate(scope.resolve) }?.reason
    }
}
