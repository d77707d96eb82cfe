import Foundation
import Logging
import OpsBrainCore
import OpsBrainPostgres

/// Carries one claimed execution through its next stage, persisting every transition.
///
/// The state machine decides; this type runs the actions it asks for (steps, fixes,
/// verification, rollback) and writes each outcome with its audit row.
struct ExecutionRunner {
    let repository: ExecutionRepository
    let registry: RunnerRegistry
    let settings: EngineSettings
    let catalog: SOPCatalog
    let logger = Logger(label: "opsbrain.engine")
    /// The alert a dry run composed (it has no row).
    var composedAlert: AlertSnapshot?
    /// A `wait` step gives the worker back and the run comes back when it ends (`ChecksWaiting`);
    /// a dry run, which has no engine to come back to it, waits in place.
    var waitsInPlace = false
    var actor: String { "engine:\(settings.engineID)" }

    /// Advances `record` as far as it can go now; a `wait` step puts the run down until it ends.
    func process(_ record: ExecutionRecord) throws {
        do {
            try dispatch(record)
        } catch let waiting as ChecksWaiting {
            try repository.release(record.id, nextActionAt: waiting.until)
        }
    }

    /// Runs the handler for where `record` stands.
    private func dispatch(_ record: ExecutionRecord) throws {
        switch record.state.status {
        case .pending: try diagnose(record)
        case .awaitingApproval where record.approval == .approved: try startApprovedFix(record)
        case .awaitingApproval: try expireApproval(record)
        case .fixing: try resumeFixing(record)
        case .verifying: try verify(record)
        case .rollingBack: try rollback(record, state: record.state)
        case .diagnosing: try rediagnose(record)
        case .success where record.rollbackRequestedBy != nil, .escalated where record.rollbackRequestedBy != nil,
             .failed where record.rollbackRequestedBy != nil, .resolvedByHand where record.rollbackRequestedBy != nil:
            try apply(.rollbackRequested(by: record.rollbackRequestedBy ?? "?", harmful: record.state.harmfulRollback), to: record,
                      patch: ExecutionPatch(), audit: "rolling back at the request of \(record.rollbackRequestedBy ?? "?")"
                          + (record.state.harmfulRollback ? ", who marked the fix harmful" : ""))
        default:
            try repository.release(record.id, nextActionAt: nil)
        }
    }

    /// Applies `event` through the state machine, persists the result in one transaction, then
    /// carries out the actions the machine asked for (`follow`).
    ///
    /// The audit message, its details and the escalation reason are redacted here, for every
    /// transition: fix errors and rollback summaries carry what upstreams answered.
    @discardableResult
    func apply(_ event: ExecutionEvent, to record: ExecutionRecord, patch: ExecutionPatch, audit message: String,
               details: JSONValue = .object([:]), extra: ((PostgresConnection) throws -> Void)? = nil) throws -> ExecutionState {
        let redactor = settings.redactor
        let (next, actions) = try ExecutionMachine.apply(event, to: record.state)
        let state = redacted(next)
        var patch = patch
        // Work the machine asks for now is due now in the row too: should this engine die before it
        // is done, the next engine to take the run over does it.
        if patch.nextActionAt == nil, actions.contains(where: \.isImmediate) { patch.nextActionAt = Date() }
        let learning = actions.compactMap { action -> Bool? in
            if case .recordOutcome(let effective) = action { return effective }
            return nil
        }.first
        try repository.transition(record.id, from: record.state.status, to: state, patch: patch,
                                  audit: AuditEntry(kind: "status_\(state.status.rawValue)", actor: actor, message: redactor.redact(message),
                                                    details: redactor.redact(details))) { tx in
            if let effective = learning {
                try repository.recordOutcome(executionID: record.id, effective: effective,
                                             failureReason: effective ? nil : state.escalationReason, in: tx)
            }
            if actions.contains(.recordHarmful) {
                try repository.recordHarmful(executionID: record.id,
                                             reason: "rolled back as harmful by \(record.rollbackRequestedBy ?? "a person")", in: tx)
            }
            try extra?(tx)
            if !state.dryRun { try NotifierEvents.enqueue(executionID: record.id, sop: sop(of: record)?.definition, in: tx) }
        }
        try follow(actions, after: record, state: state)
        return state
    }

    /// Carries out what the machine asked for after a transition, one action at a time. Work that
    /// is due later (verification after `wait_before`) is left to the row's `next_action_at`, and
    /// what the transition's transaction already wrote (approval request, learning) is done.
    func follow(_ actions: [ExecutionAction], after record: ExecutionRecord, state: ExecutionState) throws {
        for action in actions {
            switch action {
            case .runDiagnosis: try runDiagnosis(moved(record, to: state))
            case .runFixes: try runFixes(try reloaded(record, at: state), state: state)
            case .runRollback: try rollback(try reloaded(record, at: state), state: state)
            case .runVerification, .requestApproval, .recordOutcome, .recordHarmful: break
            case .escalate(let reason):
                logger.notice("escalated", metadata: ["execution": "\(record.id)", "reason": "\(settings.redactor.redact(reason))"])
            }
        }
    }

    /// `record` as it now stands in `state`.
    private func moved(_ record: ExecutionRecord, to state: ExecutionState) -> ExecutionRecord {
        var current = record
        current.state = state
        return current
    }

    /// `record` read again (the transition may have chosen other fixes), in `state`.
    private func reloaded(_ record: ExecutionRecord, at state: ExecutionState) throws -> ExecutionRecord {
        moved(try repository.load(record.id) ?? record, to: state)
    }

    /// `state` as it may be stored and shown: its escalation reason redacted.
    func redacted(_ state: ExecutionState) -> ExecutionState {
        var state = state
        state.escalationReason = state.escalationReason.map(settings.redactor.redact)
        return state
    }

    /// The SOP of `record`, or nil for the unknown path.
    func sop(of record: ExecutionRecord) -> CatalogEntry? {
        record.sopName.flatMap { catalog.entries[$0] }
    }

    /// The context steps and drivers run with: instance targets resolve to the record's instance.
    func context(for record: ExecutionRecord, attempt: Int) throws -> StepContext {
        let alert = try record.alertID.flatMap { try repository.alertSnapshot($0) } ?? composedAlert
            ?? AlertSnapshot(id: record.alertID ?? UUID(), source: "none", alertType: "none", title: "(no alert)")
        return StepContext(executionID: record.id, alert: alert, targets: settings.targets, instance: record.instance?.key,
                           environment: settings.environment, attempt: attempt)
    }

    /// A metric step with `discount_own_restarts` measures starts; those Ops Brain caused within the
    /// window, by restarting a service this SOP restarts on this instance (from any SOP), are taken
    /// off, and both figures kept. Another service's restarts are not this one's.
    func discountingOwnRestarts(_ result: StepResult, of step: StepSpec, record: ExecutionRecord) throws -> StepResult {
        guard step.type == .metric, let window = step.parameters[StepType.discountOwnRestarts]?.stringValue.flatMap(DurationSyntax.parse),
              let measured = result.values["value"]?.doubleValue else { return result }
        let services = sop(of: record)?.definition.fix.filter { $0.operation == .serviceRestart }.compactMap(\.target) ?? []
        let own = try repository.ownServiceRestarts(of: Set(services), instance: record.instance?.key, within: window)
        var discounted = result
        discounted.values["value"] = .number(max(0, measured - Double(own)))
        discounted.values["measured"] = .number(measured)
        discounted.values["own_restarts"] = .number(Double(own))
        return discounted
    }

    /// A step result as stored: values (secrets redacted), error, duration and verdict, with the
    /// check's name and each expectation against its value (`StepSpec.expectationRecord`).
    func json(_ result: StepResult, of step: StepSpec, verdict: StepVerdict) -> JSONValue {
        var fields = step.expectationRecord(for: result.values)
        fields["values"] = .object(result.values)
        fields["error"] = result.error.map(JSONValue.string) ?? .null
        fields["duration_ms"] = .number(Double(result.durationMs))
        fields["verdict"] = .string(verdict.rawValue)
        return settings.redactor.redact(.object(fields))
    }

    /// A step result read back from what `json(_:verdict:)` stored.
    static func stepResult(stored: JSONValue) -> StepResult {
        StepResult(values: stored["values"]?.objectValue ?? [:], error: stored["error"]?.stringValue,
                   durationMs: Int(stored["duration_ms"]?.doubleValue ?? 0))
    }
}
