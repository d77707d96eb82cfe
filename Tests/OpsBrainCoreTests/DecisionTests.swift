import OpsBrainCore
import XCTest

/// Scoring, the decision matrix by risk, limits, and never-auto-fix classes.
final class DecisionTests: XCTestCase {
    private func sop(risk: RiskLevel = .low, autoFix: Bool = true, requiresApproval: Bool = false,
                     fix: [FixOperationSpec]? = nil) -> SOPDefinition {
        SOPDefinition(
            name: "disk-filling", category: "infrastructure", agent: .infra, description: "Disk filling", severity: .high,
            risk: risk, autoFix: autoFix, requiresApproval: requiresApproval, cooldownMinutes: 30,
            trigger: TriggerRule(alertTypes: ["disk_usage_high"]),
            diagnosis: [StepSpec(id: "disk", name: "disk", type: .diskUsage, expect: ["used_percent": Expectation([.lt(90)])])],
            fix: fix ?? [FixOperationSpec(id: "clean", name: "clean", operation: .tempCleanup,
                                          when: try! Condition(parsing: "disk.used_percent >= 90"))],
            escalateIf: [EscalationRule(when: try! Condition(parsing: "disk.used_percent >= 99"), reason: "disk full")])
    }

    private func evaluation(_ sop: SOPDefinition, used: Double) -> DiagnosisEvaluation {
        DiagnosisEvaluation(sop: sop, steps: sop.diagnosis, results: ["disk": StepResult(values: ["used_percent": .number(used)])],
                            attempts: 0, severity: .high)
    }

    private func decide(_ sop: SOPDefinition?, used: Double = 95, confidence: Int = 95, mode: EngineMode = .auto,
                        limits: LimitState = LimitState(), targets: [String: TargetDefinition] = [:]) -> (Decision, String) {
        DecisionPolicy.decide(DecisionInput(mode: mode, sop: sop, diagnosis: sop.map { evaluation($0, used: used) },
                                            confidence: confidence, limits: limits, targets: targets))
    }

    func testConfidenceUsesSeedWeightsAndPriorBeforeSixRuns() {
        let facts = EnvironmentFacts(hourOfDay: 3, concurrentAlerts: 1, lastOutcomeSucceeded: nil)
        let early = ConfidenceScorer.score(sop: SuccessRecord(executed: 5, successful: 5), clarity: 100, patternMatch: 100, environment: facts)
        XCTAssertEqual(early.successRateSource, .prior)
        XCTAssertEqual(early.successRate, 50)
        XCTAssertEqual(early.total, 80) // 0.4*50 + 0.3*100 + 0.2*100 + 0.1*100
        let proven = ConfidenceScorer.score(sop: SuccessRecord(executed: 50, successful: 47), clarity: 80, patternMatch: 90, environment: facts)
        XCTAssertEqual(proven.successRate, 94)
        XCTAssertEqual(proven.total, 90) // 37.6 + 24 + 18 + 10 = 89.6
        let stormy = ConfidenceScorer.score(sop: SuccessRecord(executed: 0, successful: 0), clarity: 0, patternMatch: 0,
                                            environment: EnvironmentFacts(hourOfDay: 10, concurrentAlerts: 9, lastOutcomeSucceeded: false))
        XCTAssertEqual(stormy.environment, 20)
        XCTAssertEqual(stormy.environmentNotes, ["peak hours", "9 related alerts firing", "last run failed"])
    }

    /// A runbook earns its record across the fleet: six good restarts of six different instances make
    /// a seventh instance's restart trusted, as the seed's "more than 5 executions" asks. An instance
    /// where the fix has gone worse than the fleet's record does not borrow the fleet's.
    func testTheSuccessRateCountsTheWholeFleetUnlessTheInstanceDidWorse() {
        let facts = EnvironmentFacts(hourOfDay: 3, concurrentAlerts: 1, lastOutcomeSucceeded: nil)
        let fleet = SuccessRecord(executed: 6, successful: 6)
        let fresh = ConfidenceScorer.score(sop: fleet, instance: SuccessRecord(executed: 0, successful: 0), clarity: 80, patternMatch: 90,
                                           environment: facts)
        XCTAssertEqual(fresh.successRate, 100, "seen: per-instance history kept a fleet's restarts at the prior for ever")
        XCTAssertEqual(fresh.successRateSource, .history)
        let failing = ConfidenceScorer.score(sop: fleet, instance: SuccessRecord(executed: 2, successful: 1), clarity: 80, patternMatch: 90,
                                             environment: facts)
        XCTAssertEqual(failing.successRate, 50)
        XCTAssertEqual(failing.successRateSource, .instance)
        let young = ConfidenceScorer.score(sop: SuccessRecord(executed: 3, successful: 3), instance: SuccessRecord(executed: 1, successful: 0),
                                           clarity: 80, patternMatch: 90, environment: facts)
        XCTAssertEqual(young.successRate, 0, "an instance where the fix failed is below the prior")
    }

    func testThresholdsByRisk() {
        // temp_cleanup (low risk, reversible): 60, whatever risk the SOP declares for its worst case.
        XCTAssertEqual(decide(sop(risk: .low), confidence: 59).0, .safeFixThenEscalate, "the seed's low band: safe fix, then escalate")
        XCTAssertEqual(decide(sop(risk: .low), confidence: 60).0, .autoFix(verifyHard: true))
        XCTAssertEqual(decide(sop(risk: .low), confidence: 80).0, .autoFix(verifyHard: false))
        XCTAssertEqual(decide(sop(risk: .high), confidence: 77).0, .autoFix(verifyHard: false))
        XCTAssertEqual(decide(sop(risk: .high), confidence: 77).1, "confidence 77 ≥ 60 for low-risk temp_cleanup")
        XCTAssertEqual(decide(sop(risk: .critical), confidence: 100).0, .requestApproval, "critical SOPs never run unattended")
        // pool_reset (medium): 75; service_restart (high): 90; the riskiest operation that runs sets it.
        let reset = [FixOperationSpec(id: "reset", name: "reset", operation: .poolReset)]
        XCTAssertEqual(decide(sop(risk: .low, fix: reset), confidence: 74).0, .requestApproval, "pool_reset cannot be undone")
        XCTAssertEqual(decide(sop(risk: .low, fix: reset), confidence: 75).0, .autoFix(verifyHard: true))
        let restart = [FixOperationSpec(id: "restart", name: "restart", operation: .serviceRestart)]
        XCTAssertEqual(decide(sop(risk: .high, fix: restart), confidence: 89).0, .requestApproval, "not a safe fix")
        XCTAssertEqual(decide(sop(risk: .high, fix: restart), confidence: 89).1, "confidence 89 < 90 for high-risk service_restart")
        XCTAssertEqual(decide(sop(risk: .high, fix: restart), confidence: 90).0, .autoFix(verifyHard: true))
        let both = [FixOperationSpec(id: "clean", name: "clean", operation: .tempCleanup), restart[0]]
        XCTAssertEqual(decide(sop(risk: .low, fix: both), confidence: 80).0, .requestApproval, "the restart sets the bar")
    }

    func testUnknownDiagnoseOnlyAndEscalationRules() {
        XCTAssertEqual(decide(nil).0, .escalate)
        XCTAssertEqual(decide(sop(), mode: .diagnoseOnly).0, .diagnoseOnly)
        XCTAssertEqual(decide(sop(), used: 99.5).1, "disk full")
        XCTAssertEqual(decide(sop(), used: 50).0, .escalate, "nothing found: no fix applies")
        XCTAssertEqual(decide(sop(), used: 50).1, "diagnosis found nothing wrong: symptom not reproduced")
    }

    func testAStepThatCouldNotRunIsNamedNotPassedOffAsNothingWrong() {
        let blind = DiagnosisEvaluation(sop: sop(), steps: sop().diagnosis,
                                        results: ["disk": .failure("prometheus target 'prometheus': the query returned no result")],
                                        attempts: 0, severity: .high)
        let (decision, reason) = DecisionPolicy.decide(DecisionInput(mode: .auto, sop: sop(), diagnosis: blind, confidence: 95,
                                                                     limits: LimitState(), targets: [:]))
        XCTAssertEqual(decision, .escalate)
        XCTAssertTrue(reason.hasPrefix("the steps that ran found nothing wrong; could not run: disk"), reason)
        XCTAssertFalse(reason.contains("symptom not reproduced"), reason)
    }

    func testNeverAutoFixClassesAlwaysWaitForApproval() {
        let billing = [FixOperationSpec(id: "topup", name: "top up", operation: .httpCall, declaredClass: .billing,
                                        parameters: ["target": .string("billing_api")])]
        XCTAssertEqual(decide(sop(fix: billing), confidence: 100).0, .requestApproval)
        let viaTarget = [FixOperationSpec(id: "rotate", name: "rotate", operation: .httpCall, parameters: ["target": .string("keys")])]
        let targets = ["keys": TargetDefinition(name: "keys", kind: .http, fields: [:], operationClass: .credentials)]
        let decision = decide(sop(fix: viaTarget), confidence: 100, targets: targets)
        XCTAssertEqual(decision.0, .requestApproval)
        XCTAssertEqual(decision.1, "fix 'rotate' is in the never-auto-fix class 'credentials'")
    }

    func testLimitsRequireApproval() {
        XCTAssertEqual(decide(sop(), mode: .approval).1, "engine is in approval mode")
        XCTAssertEqual(decide(sop(requiresApproval: true)).1, "SOP requires approval")
        XCTAssertEqual(decide(sop(), limits: LimitState(minutesSinceLastFix: 5)).1, "cooldown: last fix 5 min ago (cooldown 30 min)")
        XCTAssertEqual(decide(sop(), limits: LimitState(fixesThisHour: 3)).1, "hourly cap: 3 fixes this hour (max 3)")
        XCTAssertEqual(decide(sop(), limits: LimitState(globalAutoFixesThisHour: 20)).1, "global auto-fix budget used up (20 per hour)")
        XCTAssertEqual(decide(sop(), limits: LimitState(consecutiveFailures: 3)).1, "circuit breaker: 3 failed runs in a row")
    }

    func testEveryLimitThatAppliesIsNamed() {
        let (decision, reason) = decide(sop(), limits: LimitState(minutesSinceLastFix: 4, fixesThisHour: 5))
        XCTAssertEqual(decision, .requestApproval)
        XCTAssertEqual(reason, "cooldown: last fix 4 min ago (cooldown 30 min); hourly cap: 5 fixes this hour (max 3)",
                       "seen: five repeats were sent to approval for 'cooldown' and the hourly cap never showed")
    }

    func testNoCooldownMeansNoCooldownEvenWithANegativeAge() {
        var uncooled = sop()
        uncooled.cooldownMinutes = 0
        let (decision, reason) = decide(uncooled, limits: LimitState(minutesSinceLastFix: -0.02))
        XCTAssertEqual(decision, .autoFix(verifyHard: false), "seen: cooldown_minutes 0 went to approval for 'cooldown', age -0 min: \(reason)")
    }

    func testDiagnosisClarityAndConditions() {
        let definition = sop()
        let found = evaluation(definition, used: 95)
        XCTAssertEqual(found.findings, ["disk"])
        XCTAssertEqual(found.applicableFixes.map(\.id), ["clean"])
        XCTAssertEqual(found.clarity, 100)
        let healthy = evaluation(definition, used: 40)
        XCTAssertEqual(healthy.applicableFixes, [])
        XCTAssertEqual(healthy.clarity, 72) // 60 + 0.4*30
        let broken = DiagnosisEvaluation(sop: definition, steps: definition.diagnosis,
                                         results: ["disk": .failure("statvfs failed")], attempts: 0, severity: .high)
        XCTAssertEqual(broken.verdicts["disk"], .error)
        XCTAssertEqual(broken.clarity, 12)
    }

    func testAlertNormalization() {
        XCTAssertEqual(AlertNormalizer.normalize(RawAlert(alertType: nil, title: "x", severity: nil, evidenceText: nil)),
                       .rejected(reason: "alert_type is missing"))
        guard case .accepted(_, let title, let severity, let notes, let replacement) =
                AlertNormalizer.normalize(RawAlert(alertType: "disk", title: "  ", severity: "purple",
                                                   evidenceText: String(repeating: "x", count: 100_000))) else {
            return XCTFail("should be accepted")
        }
        XCTAssertEqual(title, "disk")
        XCTAssertEqual(severity, .medium)
        XCTAssertEqual(notes.count, 3)
        XCTAssertEqual(replacement?["original_bytes"], .number(100_000))
    }
}
