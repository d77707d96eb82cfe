import Foundation
import OpsBrainCore
import OpsBrainPostgres

extension ConsoleSession {
    /// Approves or rejects through the atomic approval store; the first decision wins, and a later one
    /// hears who made it. (`perform` has already refused it in read-only mode.)
    func dispatchDecision(_ target: ActionTarget, approve: Bool, reason: String?) {
        let verb = approve ? "approved" : "rejected"
        do {
            try ApprovalRepository(connection: connection).decide(target.executionID, approve: approve, approver: configuration.approver,
                                                                  reason: reason)
            state.message = ConsoleMessage("\(verb) \(target.shortID) (\(target.sopName)) as \(configuration.approver.name)"
                                           + (approve ? "; the engine runs the fix now" : ""))
            logger.notice("approval decided", metadata: ["execution": "\(target.executionID)", "decision": "\(verb)",
                                                         "by": "\(configuration.approver.name)"])
        } catch let refused as ApprovalRefused {
            state.message = ConsoleMessage("not \(verb): \(refused.description)", isError: true)
        } catch {
            state.message = ConsoleMessage("not \(verb): \(error)", isError: true)
        }
        reloadAfterAction()
    }

    /// Asks the engine to roll the target back.
    func dispatchRollback(_ target: ActionTarget) {
        do {
            try ApprovalRepository(connection: connection).requestRollback(target.executionID, approver: configuration.approver)
            state.message = ConsoleMessage("rollback of \(target.shortID) requested as \(configuration.approver.name); the engine undoes the fixes")
        } catch let refused as ApprovalRefused {
            state.message = ConsoleMessage("no rollback: \(refused.description)", isError: true)
        } catch {
            state.message = ConsoleMessage("no rollback: \(error)", isError: true)
        }
        reloadAfterAction()
    }

    /// Starts a dry run on its own thread (refused in read-only mode: it records an execution).
    func dispatchDryRun(_ request: DryRunRequest) {
        guard !configuration.readOnly else {
            state.dryRun.running = false
            state.message = ConsoleMessage("read-only console: dry-run refused", isError: true)
            return
        }
        DryRunWorker.start(request, configuration: configuration, mailbox: mailbox)
    }

    /// Says why a dangerous effect was not carried out.
    func refuse(_ effect: ConsoleEffect) {
        let action: String
        switch effect {
        case .decide(_, let approve, _): action = approve ? "approve" : "reject"
        case .rollback: action = "roll back"
        default: action = "that"
        }
        state.message = ConsoleMessage("read-only console: \(action) refused", isError: true)
    }

    private func reloadAfterAction() {
        let view = state.view
        guarded {
            try reloadList(view)
            if view == .executions { try loadDetail() }
        }
        refreshStatus()
    }

    /// Applies notifications: while paused they are only counted; otherwise the current view reloads
    /// when they concern it (an alert, execution, approval or SOP changed).
    func notified(_ notes: [PostgresNotification]) -> Set<ViewID> {
        guard !notes.isEmpty else { return [] }
        if state.paused {
            state.changesWhilePaused += notes.count
            return []
        }
        let kinds = Set(notes.map { String($0.payload.split(separator: ":").first ?? "") })
        let concerned: Bool
        switch state.view {
        case .alerts: concerned = kinds.contains("alert") || kinds.contains("execution")
        case .executions: concerned = kinds.contains("execution") || kinds.contains("approval")
        case .approvals: concerned = kinds.contains("approval") || kinds.contains("execution")
        case .sops: concerned = kinds.contains("sop") || kinds.contains("execution")
        case .audit: concerned = true
        case .dryRun: concerned = kinds.contains("sop")
        }
        return concerned ? [state.view] : []
    }

    /// Handles an event from another thread.
    func handle(_ event: ConsoleEvent) {
        switch event {
        case .dryRunFinished(let id):
            state.dryRun.running = false
            guarded { state.dryRun.result = try queries.executionDetail(id) }
            state.message = ConsoleMessage("dry run \(Formatting.shortID(id)) finished: recorded as a dry run, nothing changed")
        case .dryRunFailed(let message):
            state.dryRun.running = false
            state.dryRun.error = message
        case .engineStopped(let reason):
            state.status.localEngine = .stopped(reason: reason ?? "stopped")
            if let reason { state.message = ConsoleMessage("the local engine stopped: \(reason)", isError: true) }
        case .signal: break
        }
    }
}
