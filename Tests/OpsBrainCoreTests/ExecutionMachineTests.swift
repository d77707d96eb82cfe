import OpsBrainCore
import XCTest

/// Event sequences into the state machine and the actions that come out.
final class ExecutionMachineTests: XCTestCase {
    private func run(_ events: [ExecutionEvent], from state: ExecutionState = ExecutionState(maxAttempts: 2))
        throws -> (ExecutionState, [ExecutionAction]) {
        var current = state
        var actions: [ExecutionAction] = []
        for event in events {
            let (next, produced) = try ExecutionMachine.apply(event, to: current)
            current = next
            actions += produced
        }
        return (current, actions)
    }

    func testHappyAutoFixPath() throws {
        let (state, actions) = try run([.start, .diagnosisFinished(.autoFix(verifyHard: false), reason: "ok", escalateAfterFix: false),
                                        .fixesFinished(succeeded: true, failure: nil),
                                        .verificationFinished(passed: true, escalation: nil)])
        XCTAssertEqual(state.status, .success)
        XCTAssertEqual(state.attempt, 1)
        XCTAssertEqual(actions, [.runDiagnosis, .runFixes(attempt: 1), .runVerification, .recordOutcome(effective: true)])
    }

    func testApprovalPathAndRejection() throws {
        let waiting = try run([.start, .diagnosisFinished(.requestApproval, reason: "billing", escalateAfterFix: false)])
        XCTAssertEqual(waiting.0.status, .awaitingApproval)
        XCTAssertEqual(waiting.1.last, .requestApproval(reason: "billing"))
        let approved = try ExecutionMachine.apply(.approved(by: "ana"), to: waiting.0)
        XCTAssertEqual(approved.0.status, .fixing)
        XCTAssertEqual(approved.1, [.runFixes(attempt: 1)])
        let rejected = try ExecutionMachine.apply(.rejected(by: "ana", reason: "not now"), to: waiting.0)
        XCTAssertEqual(rejected.0.status, .rejected)
        XCTAssertThrowsError(try ExecutionMachine.apply(.approved(by: "bo"), to: rejected.0), "the first decision wins")
    }

    func testFailedVerificationRetriesThenRollsBackAndEscalates() throws {
        let (state, actions) = try run([
            .start, .diagnosisFinished(.autoFix(verifyHard: true), reason: "ok", escalateAfterFix: false),
            .fixesFinished(succeeded: true, failure: nil), .verificationFinished(passed: false, escalation: nil),
            .fixesFinished(succeeded: true, failure: nil), .verificationFinished(passed: false, escalation: nil),
            .rollbackFinished(succeeded: true, summary: "restored 3 files")])
        XCTAssertEqual(state.status, .escalated)
        XCTAssertEqual(state.attempt, 2)
        XCTAssertEqual(actions.filter { if case .runFixes = $0 { return true } else { return false } }.count, 2)
        XCTAssertEqual(actions.suffix(3), [.runRollback, .recordOutcome(effective: false),
                                           .escalate(reason: "fix did not verify after 2 attempt(s); rolled back: restored 3 files")])
    }

    func testEscalationRuleStopsRetries() throws {
        let (state, actions) = try run([
            .start, .diagnosisFinished(.autoFix(verifyHard: false), reason: "ok", escalateAfterFix: false),
            .fixesFinished(succeeded: true, failure: nil), .verificationFinished(passed: false, escalation: "rate < 50%")])
        XCTAssertEqual(state.status, .rollingBack)
        XCTAssertEqual(actions.last, .runRollback)
        XCTAssertEqual(state.escalationReason, "rate < 50%")
    }

    func testFixStepFailureRollsBack() throws {
        let (state, _) = try run([.start, .diagnosisFinished(.autoFix(verifyHard: false), reason: "", escalateAfterFix: false),
                                  .fixesFinished(succeeded: false, failure: "redis refused"),
                                  .rollbackFinished(succeeded: false, summary: "1 key not restored")])
        XCTAssertEqual(state.status, .escalated)
        XCTAssertEqual(state.escalationReason, "fix step failed: redis refused; rollback incomplete: 1 key not restored")
    }

    func testSafeFixThenEscalate() throws {
        let (state, actions) = try run([.start, .diagnosisFinished(.safeFixThenEscalate, reason: "low confidence", escalateAfterFix: false),
                                        .fixesFinished(succeeded: true, failure: nil),
                                        .verificationFinished(passed: true, escalation: nil)])
        XCTAssertEqual(state.status, .escalated)
        XCTAssertEqual(actions.suffix(2), [.recordOutcome(effective: true), .escalate(reason: "low confidence")])
    }

    func testUnknownAndDiagnoseOnlyAndDryRun() throws {
        XCTAssertEqual(try run([.start, .diagnosisFinished(.escalate, reason: "unknown", escalateAfterFix: false)]).0.status, .escalated)
        XCTAssertEqual(try run([.start, .diagnosisFinished(.diagnoseOnly, reason: "", escalateAfterFix: false)]).0.status, .diagnosed)
        let dry = try run([.start, .diagnosisFinished(.autoFix(verifyHard: false), reason: "", escalateAfterFix: false)],
                          from: ExecutionState(dryRun: true))
        XCTAssertEqual(dry.0.status, .dryRun)
        XCTAssertEqual(dry.1, [.runDiagnosis], "a dry run never fixes")
    }

    func testInterruptedFixIsVerifiedNotRerun() throws {
        let fixing = ExecutionState(status: .fixing, attempt: 1, maxAttempts: 1)
        let (state, actions) = try ExecutionMachine.apply(.resumedAfterInterruptedFix, to: fixing)
        XCTAssertEqual(state.status, .verifying)
        XCTAssertEqual(actions, [.runVerification])
    }

    func testManualRollbackOfASuccess() throws {
        let done = ExecutionState(status: .success, attempt: 1)
        let (rolling, actions) = try ExecutionMachine.apply(.rollbackRequested(by: "ana", harmful: false), to: done)
        XCTAssertEqual(actions, [.runRollback])
        let (final, learned) = try ExecutionMachine.apply(.rollbackFinished(succeeded: true, summary: "ok"), to: rolling)
        XCTAssertEqual(final.status, .rolledBack)
        XCTAssertEqual(learned, [], "seen: a person's rollback counted the run twice and as a failed fix")
        XCTAssertThrowsError(try ExecutionMachine.apply(.rollbackRequested(by: "ana", harmful: false), to: ExecutionState(status: .escalated)),
                             "nothing to roll back before a fix ran")
    }

    func testARollbackMarkedHarmfulCountsAsAFailedFix() throws {
        let (rolling, _) = try ExecutionMachine.apply(.rollbackRequested(by: "ana", harmful: true), to: ExecutionState(status: .success, attempt: 1))
        XCTAssertTrue(rolling.harmfulRollback)
        let (final, learned) = try ExecutionMachine.apply(.rollbackFinished(succeeded: true, summary: "ok"), to: rolling)
        XCTAssertEqual(final.status, .rolledBack)
        XCTAssertEqual(learned, [.recordHarmful])
    }

    func testAnAlertResolvedByHandEndsVerificationWithoutLearningPagingOrRollback() throws {
        for escalateAfterFix in [false, true] {
            let verifying = ExecutionState(status: .verifying, attempt: 1, maxAttempts: 2, escalateAfterFix: escalateAfterFix)
            let (state, actions) = try ExecutionMachine.apply(.alertResolvedByHand(by: "ana", reason: "restarted it myself"), to: verifying)
            XCTAssertEqual(state.status, .resolvedByHand)
            XCTAssertTrue(state.status.isTerminal)
            XCTAssertEqual(actions, [], "not a success, not a failure, nothing rolled back, nobody paged")
            XCTAssertEqual(state.escalationReason, "resolved by hand by ana (restarted it myself) before the fix was verified; its source never "
                           + "confirmed the fix, so it counts neither as a success nor as a failure")
        }
        XCTAssertThrowsError(try ExecutionMachine.apply(.alertResolvedByHand(by: "ana", reason: "x"), to: ExecutionState(status: .fixing)))
        let (rolling, _) = try ExecutionMachine.apply(.rollbackRequested(by: "ana", harmful: false),
                                                      to: ExecutionState(status: .resolvedByHand, attempt: 1))
        let (final, learned) = try ExecutionMachine.apply(.rollbackFinished(succeeded: true, summary: "ok"), to: rolling)
        XCTAssertEqual(final.status, .rolledBack, "a person may still undo the fix")
        XCTAssertEqual(learned, [])
    }

    func testARunThatCannotGoOnEndsFailedFromAnyOpenStateButNotTwice() throws {
        for status in [ExecutionStatus.pending, .diagnosing, .fixing, .verifying, .rollingBack, .awaitingApproval] {
            let (state, actions) = try ExecutionMachine.apply(.abandoned(reason: "SOP gone"), to: ExecutionState(status: status))
            XCTAssertEqual(state.status, .failed, "from \(status)")
            XCTAssertEqual(state.escalationReason, "SOP gone")
            XCTAssertEqual(actions, [], "nothing runs and nothing is learned")
        }
        XCTAssertThrowsError(try ExecutionMachine.apply(.abandoned(reason: "x"), to: ExecutionState(status: .success)))
    }

    func testInvalidEventsAreRefused() {
        XCTAssertThrowsError(try ExecutionMachine.apply(.approved(by: "x"), to: ExecutionState(status: .pending))) { error in
            XCTAssertEqual("\(error)", "cannot apply approved to an execution that is pending")
        }
        XCTAssertThrowsError(try ExecutionMachine.apply(.start, to: ExecutionState(status: .success)))
    }
}
