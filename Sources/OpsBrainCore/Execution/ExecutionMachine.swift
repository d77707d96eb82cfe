/// Where one execution stands: its status plus what the next transitions depend on.
public struct ExecutionState: Sendable, Equatable {
    public var status: ExecutionStatus
    /// Fix attempts started so far.
    public var attempt: Int
    public var maxAttempts: Int
    /// Escalate even when the fix verifies (safe-fix-then-escalate, or an escalate step applied).
    public var escalateAfterFix: Bool
    /// A dry run stops after diagnosis and decision.
    public var dryRun: Bool
    /// A person asked for this rollback (it ends as rolled_back rather than escalated).
    public var manualRollback: Bool
    /// The person who asked for the rollback marked the fix harmful: it counts as a failed fix.
    public var harmfulRollback: Bool
    /// Why the execution is escalating, kept for the final transition.
    public var escalationReason: String?

    public init(status: ExecutionStatus = .pending, attempt: Int = 0, maxAttempts: Int = 1, escalateAfterFix: Bool = false,
                dryRun: Bool = false, manualRollback: Bool = false, harmfulRollback: Bool = false, escalationReason: String? = nil) {
        self.status = status
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.escalateAfterFix = escalateAfterFix
        self.dryRun = dryRun
        self.manualRollback = manualRollback
        self.harmfulRollback = harmfulRollback
        self.escalationReason = escalationReason
    }
}

/// Something that happened to an execution.
public enum ExecutionEvent: Sendable, Equatable {
    case start
    case diagnosisFinished(Decision, reason: String, escalateAfterFix: Bool)
    case approved(by: String)
    /// Approved, but the diagnosis run again at approval (or the alert's source) says the problem is gone.
    case approvedButNoLongerNeeded(by: String, reason: String)
    case rejected(by: String, reason: String)
    /// While awaiting approval, a rule ended it without a fix: the fix does not hold, or the request
    /// expired with `escalate` as its configured action.
    case escalatedInsteadOfFixing(reason: String)
    case fixesFinished(succeeded: Bool, failure: String?)
    /// `escalation` is an escalate_if rule that holds now (it stops further attempts).
    case verificationFinished(passed: Bool, escalation: String?)
    /// Verification found the alert resolved by a person by hand, not by its source: the fix's
    /// outcome cannot be known, so the run ends without counting either way.
    case alertResolvedByHand(by: String, reason: String)
    case rollbackFinished(succeeded: Bool, summary: String)
    /// A person asked to undo a finished run; `harmful` when they say the fix did harm.
    case rollbackRequested(by: String, harmful: Bool)
    /// The engine died while fixing: the steps that may have run are not run again; verify instead.
    case resumedAfterInterruptedFix
    /// The run cannot go on (its SOP was removed): it ends failed, with the reason.
    case abandoned(reason: String)
}

/// What the engine must do next.
public enum ExecutionAction: Sendable, Equatable {
    case runDiagnosis
    case requestApproval(reason: String)
    case runFixes(attempt: Int)
    case runVerification
    case runRollback
    case escalate(reason: String)
    /// Feed the SOP's statistics: whether the fix worked.
    case recordOutcome(effective: Bool)
    /// A person rolled the fix back as harmful: its counted outcome becomes a failure.
    case recordHarmful
}

extension ExecutionAction {
    /// Work the engine does at once, in the same turn (verification waits for `wait_before`).
    public var isImmediate: Bool {
        switch self {
        case .runDiagnosis, .runFixes, .runRollback: return true
        case .requestApproval, .runVerification, .escalate, .recordOutcome, .recordHarmful: return false
        }
    }
}

/// An event that is not allowed in the current state.
public struct InvalidTransition: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: ExecutionStatus
    public var event: String
    public var description: String { "cannot apply \(event) to an execution that is \(status.rawValue)" }
}

/// The execution state machine: events in, new state and actions out. No I/O.
///
/// `pending → diagnosing → awaiting_approval → fixing → verifying → success | escalated`,
/// with `rolling_back`, `rejected`, `not_needed` (approved after the problem went away),
/// `resolved_by_hand` (a person resolved the alert before the fix was verified),
/// `diagnosed` (diagnose-only) and `dry_run` besides.
public enum ExecutionMachine {
    public static func apply(_ event: ExecutionEvent, to state: ExecutionState) throws -> (ExecutionState, [ExecutionAction]) {
        var next = state
        switch (state.status, event) {
        case (.pending, .start):
            next.status = .diagnosing
            return (next, [.runDiagnosis])
        case (.diagnosing, .diagnosisFinished(let decision, let reason, let escalateAfterFix)):
            return afterDiagnosis(state, decision: decision, reason: reason, escalateAfterFix: escalateAfterFix)
        case (.awaitingApproval, .approved):
            return startFixing(state)
        case (.awaitingApproval, .approvedButNoLongerNeeded(_, let reason)):
            next.status = .notNeeded
            next.escalationReason = reason
            return (next, [])
        case (.awaitingApproval, .rejected):
            next.status = .rejected
            return (next, [])
        case (.awaitingApproval, .escalatedInsteadOfFixing(let reason)):
            next.status = .escalated
            next.escalationReason = reason
            return (next, [.escalate(reason: reason)])
        case (.fixing, .fixesFinished(true, _)), (.fixing, .resumedAfterInterruptedFix):
            next.status = .verifying
            return (next, [.runVerification])
        case (.fixing, .fixesFinished(false, let failure)):
            next.status = .rollingBack
            next.escalationReason = "fix step failed: \(failure ?? "unknown error")"
            return (next, [.runRollback])
        case (.verifying, .verificationFinished(let passed, let escalation)):
            return afterVerification(state, passed: passed, escalation: escalation)
        case (.verifying, .alertResolvedByHand(let person, let reason)):
            // Nothing is rolled back (the person says the problem is gone), nothing is learned and
            // nobody is paged: the person has the problem in hand.
            next.status = .resolvedByHand
            next.escalationReason = "resolved by hand by \(person) (\(reason)) before the fix was verified; its source never "
                + "confirmed the fix, so it counts neither as a success nor as a failure"
            return (next, [])
        case (.rollingBack, .rollbackFinished(let succeeded, let summary)):
            return afterRollback(state, succeeded: succeeded, summary: summary)
        case (.success, .rollbackRequested(_, let harmful)), (.escalated, .rollbackRequested(_, let harmful)),
             (.failed, .rollbackRequested(_, let harmful)), (.resolvedByHand, .rollbackRequested(_, let harmful)):
            guard state.attempt > 0 else { throw invalid(state, event) }
            next.status = .rollingBack
            next.manualRollback = true
            next.harmfulRollback = harmful
            return (next, [.runRollback])
        case (let status, .abandoned(let reason)) where !status.isTerminal:
            next.status = .failed
            next.escalationReason = reason
            return (next, [])
        default:
            throw invalid(state, event)
        }
    }

    private static func invalid(_ state: ExecutionState, _ event: ExecutionEvent) -> InvalidTransition {
        InvalidTransition(status: state.status, event: "\(event)".prefix { $0 != "(" }.description)
    }

    private static func afterDiagnosis(_ state: ExecutionState, decision: Decision, reason: String,
                                       escalateAfterFix: Bool) -> (ExecutionState, [ExecutionAction]) {
        var next = state
        if state.dryRun {
            next.status = .dryRun
            return (next, [])
        }
        switch decision {
        case .diagnoseOnly:
            next.status = .diagnosed
            return (next, [])
        case .escalate:
            next.status = .escalated
            next.escalationReason = reason
            return (next, [.escalate(reason: reason)])
        case .requestApproval:
            next.status = .awaitingApproval
            next.escalateAfterFix = escalateAfterFix
            return (next, [.requestApproval(reason: reason)])
        case .autoFix, .safeFixThenEscalate:
            next.escalateAfterFix = escalateAfterFix || decision == .safeFixThenEscalate
            if next.escalateAfterFix { next.escalationReason = reason }
            return startFixing(next)
        }
    }

    private static func startFixing(_ state: ExecutionState) -> (ExecutionState, [ExecutionAction]) {
        var next = state
        next.status = .fixing
        next.attempt += 1
        return (next, [.runFixes(attempt: next.attempt)])
    }

    private static func afterVerification(_ state: ExecutionState, passed: Bool,
                                          escalation: String?) -> (ExecutionState, [ExecutionAction]) {
        var next = state
        if passed {
            if state.escalateAfterFix {
                next.status = .escalated
                let reason = state.escalationReason ?? "fix verified; a person must still act"
                return (next, [.recordOutcome(effective: true), .escalate(reason: reason)])
            }
            next.status = .success
            return (next, [.recordOutcome(effective: true)])
        }
        if escalation == nil && state.attempt < state.maxAttempts {
            return startFixing(state)
        }
        next.status = .rollingBack
        next.escalationReason = escalation ?? "fix did not verify after \(state.attempt) attempt(s)"
        return (next, [.runRollback])
    }

    private static func afterRollback(_ state: ExecutionState, succeeded: Bool,
                                      summary: String) -> (ExecutionState, [ExecutionAction]) {
        var next = state
        if state.manualRollback {
            // A person undid a finished run: its outcome was counted when it finished; a rollback
            // they asked for is not another execution, nor a failed fix unless they say it did harm.
            next.status = .rolledBack
            return (next, state.harmfulRollback ? [.recordHarmful] : [])
        }
        next.status = .escalated
        let reason = (state.escalationReason ?? "fix failed") + (succeeded ? "; rolled back: \(summary)" : "; rollback incomplete: \(summary)")
        next.escalationReason = reason
        return (next, [.recordOutcome(effective: false), .escalate(reason: reason)])
    }
}
