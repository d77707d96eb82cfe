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
        let targets = fixTargets(entry.definition.fix.filter { current.applicableFixes.contains($0.id) }, of: current)
        guard try repository.tryTargetLocks(targets) else { return try awaitTargets(current, targets) }
        defer { try? repository.unlockTargets(targets) }
        let context = try context(for: current, attempt: state.attempt)
        let earlier = try repository.steps(current.id).filter { $0.phase == .fix && $0.attempt == state.attempt }
        for fix in entry.definition.fix where current.applicableFixes.contains(fix.id) {
            if let previous = earlier.first(where: { $0.stepID == fix.id }) {
                if previous.status == .succeeded { continue }
                if previous.status == .started {
                    try apply(.resumedAfterInterruptedFix, to: current, patch: verificationPatch(entry),
                              audit: "engine stopped during fix '\(fix.id)'; it may have run, so it is not run again: verifying")
                    return
                }
                return try fixFailed(current, fix: fix, message: previous.result["summary"]?.stringValue ?? "failed earlier")
            }
            guard try repository.beginStep(current.id, phase: .fix, stepID: fix.id, attempt: state.attempt) else { continue }
            let outcome = execute(fix, context: context)
            try repository.finishStep(current.id, phase: .fix, stepID: fix.id, attempt: state.attempt,
                                      status: outcome.succeeded ? .succeeded : .failed, result: json(outcome, of: fix), undo: outcome.undo)
            if !outcome.succeeded { return try fixFailed(current, fix: fix, message: outcome.summary) }
        }
        var patch = verificationPatch(entry)
        patch.fixActions = try fixActionsJSON(current.id)
        try apply(.fixesFinished(succeeded: true, failure: nil), to: current, patch: patch,
                  audit: "fix attempt \(state.attempt) applied; verifying after \(DurationSyntax.format(entry.definition.verification.waitBefore))")
    }

    /// The targets `fixes` act on, as fix-lock keys: the target's name and, for an instance target,
    /// the instance (a target shared by every instance is one key). Notifications and escalations
    /// touch no target.
    func fixTargets(_ fixes: [FixOperationSpec], of record: ExecutionRecord) -> Set<String> {
        let acting = fixes.filter { $0.operation != .notify && $0.operation != .escalate }
        return Set(acting.map { fix -> String in
            let name = fix.target ?? fix.operation.rawValue
            guard settings.targets[name]?.instances != nil, let instance = record.instance?.key else { return name }
            return name + "@" + instance
        })
    }

    /// Another run (of this engine or another) is fixing one of these targets: this run stays in its
    /// phase, gives up its claim and comes back shortly. It never waits on a worker.
    private func awaitTargets(_ record: ExecutionRecord, _ targets: Set<String>) throws {
        logger.info("a target is being fixed by another run; trying again shortly",
                    metadata: ["execution": "\(record.id)", "targets": "\(targets.sorted().joined(separator: ", "))"])
        try repository.release(record.id, nextActionAt: Date().addingTimeInterval(Self.targetRetry))
    }

    /// How soon a run that found its target locked looks again.
    static let targetRetry: TimeInterval = 2

    private func execute(_ fix: FixOperationSpec, context: StepContext) -> OperationOutcome {
        guard let driver = registry.driver(for: fix.operation) else {
            return .failed("no driver registered for \(fix.operation.rawValue)")
        }
        return driver.execute(fix, context: context)
    }

    private func fixFailed(_ record: ExecutionRecord, fix: FixOperationSpec, message: String) throws {
        try apply(.fixesFinished(succeeded: false, failure: "\(fix.id): \(message)"), to: record, patch: ExecutionPatch(),
                  audit: "fix '\(fix.id)' failed: \(message); rolling back")
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
        .array(try repository.steps(executionID).filter { $0.phase == .fix }.map { step in
            .object(["step": .string(step.stepID), "attempt": .number(Double(step.attempt)), "status": .string(step.status.rawValue),
                     "summary": step.result["summary"] ?? .null])
        })
    }

    /// Ends an execution that cannot go on as failed, with its reason.
    func fail(_ record: ExecutionRecord, reason: String) throws {
        try apply(.abandoned(reason: reason), to: record, patch: ExecutionPatch(), audit: reason)
    }

    // MARK: Rollback

    /// Undoes every reversible fix step that succeeded, newest first, each at most once.
    func rollback(_ record: ExecutionRecord, state: ExecutionState) throws {
        var current = record
        current.state = state
        let entry = sop(of: current)
        let targets = fixTargets(entry?.definition.fix ?? [], of: current)
        guard try repository.tryTargetLocks(targets) else { return try awaitTargets(current, targets) }
        defer { try? repository.unlockTargets(targets) }
        let context = try context(for: current, attempt: state.attempt)
        let done = try repository.steps(current.id)
        var undone: [String] = []
        var problems: [String] = []
        for step in done.filter({ $0.phase == .fix && $0.status == .succeeded }).reversed() {
            guard let undo = step.undo, let fix = entry?.definition.fix.first(where: { $0.id == step.stepID }),
                  let driver = registry.driver(for: fix.operation) else {
                if step.undo == nil { problems.append("\(step.stepID) is not reversible") }
                continue
            }
            guard try repository.beginStep(current.id, phase: .rollback, stepID: step.stepID, attempt: step.attempt) else { continue }
            let outcome = driver.rollback(fix, undo: undo, context: context)
            try repository.finishStep(current.id, phase: .rollback, stepID: step.stepID, attempt: step.attempt,
                                      status: outcome.succeeded ? .succeeded : .failed, result: json(outcome, of: fix), undo: nil)
            if outcome.succeeded { undone.append(step.stepID) } else { problems.append("\(step.stepID): \(outcome.summary)") }
        }
        let summary = (undone.isEmpty ? "nothing undone" : "undid " + undone.joined(separator: ", "))
            + (problems.isEmpty ? "" : "; " + problems.joined(separator: "; "))
        let failedUndo = problems.contains { !$0.hasSuffix("is not reversible") }
        try apply(.rollbackFinished(succeeded: !failedUndo, summary: summary), to: current,
                  patch: ExecutionPatch(), audit: "rollback: \(summary)")
    }
}
