import Foundation
import OpsBrainCore
import OpsBrainPostgres

extension ConsoleSession {
    /// Approves or rejects through the atomic approval store; the first decision wins, and a later one
    /// hears who made it. (`perform` has already refused it in read-only mode.)
    func dispatchDecision(_ target: ActionTarget, approve: Bool, reason: String?) {
        let verb = approve ? "approved" : "rejected"
        let approver = configuration.approver
        let done = "\(verb) \(target.shortID) (\(target.sopName)) as \(approver.name)" + (approve ? "; the engine runs the fix now" : "")
        write(refusal: "not \(verb)", done: done) { connection in
            try ApprovalRepository(connection: connection).decide(target.executionID, approve: approve, approver: approver, reason: reason)
        }
        logger.notice("approval asked", metadata: ["execution": "\(target.executionID)", "decision": "\(verb)", "by": "\(approver.name)"])
    }

    /// Asks the engine to roll the target back.
    func dispatchRollback(_ target: ActionTarget) {
        let approver = configuration.approver
        write(refusal: "no rollback",
              done: "rollback of \(target.shortID) requested as \(approver.name); the engine undoes the fixes") { connection in
            try ApprovalRepository(connection: connection).requestRollback(target.executionID, approver: approver)
        }
    }

    /// Acknowledges, snoozes, silences (through the configured silencer) or resolves an alert, as the person at the keyboard.
    func dispatchAlertAction(_ request: AlertActionRequest) {
        let person = configuration.approver
        let silencer = configuration.alertSilencer
        let redactor = configuration.engineSettings.redactor
        let short = String(request.alertID.uuidString.lowercased().prefix(8))
        write(refusal: "alert \(short) not changed", done: "alert \(short) \(request.done) as \(person.name)") { connection in
            let repository = AlertActionRepository(connection: connection, redactor: redactor)
            switch request.kind {
            case .acknowledge: _ = try repository.acknowledge(request.alertID, by: person)
            case .snooze(let duration): _ = try repository.snooze(request.alertID, for: duration, by: person)
            case .resolve(let reason): _ = try repository.resolve(request.alertID, reason: reason, by: person)
            case .silence(let duration):
                guard let silencer else { throw AlertActionRefused(description: "this console has no Alertmanager to silence at") }
                try silencer(connection, request.alertID, duration, person)
            }
        }
    }

    /// Writes the incident's postmortem draft (Markdown, secrets redacted) into the export folder, whole or not at all.
    func exportIncident(_ timeline: IncidentTimeline) {
        let redactor = configuration.engineSettings.redactor
        let folder = configuration.exportDirectory
        reader.submit { _ in
            let name = "postmortem-\(timeline.primaryAlert.map { String($0.id.uuidString.lowercased().prefix(8)) } ?? "incident")"
                + "-\(Self.fileStamp(Date())).md"
            let path = (folder as NSString).appendingPathComponent(name)
            let message: ConsoleMessage
            do {
                try Data(PostmortemRenderer(timeline.redacted(by: redactor)).markdown().utf8).write(to: URL(fileURLWithPath: path),
                                                                                                  options: .atomic)
                message = ConsoleMessage("postmortem draft written to \(path)")
            } catch {
                message = ConsoleMessage("postmortem draft not written to \(path): \(error.localizedDescription)", isError: true)
            }
            return { $0.state.message = message }
        }
    }

    /// `20261208-014205` (UTC), for file names.
    private static func fileStamp(_ date: Date) -> String {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%04d%02d%02d-%02d%02d%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
                      parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }

    /// Runs a decision's write on the reader; the message says `done`, or `refusal` and why, and
    /// the view reloads either way.
    private func write(refusal: String, done: String, _ body: @escaping @Sendable (PostgresConnection) throws -> Void) {
        reader.submit { connect in
            let message: ConsoleMessage
            do {
                try body(connect())
                message = ConsoleMessage(done)
            } catch let refused as ApprovalRefused {
                message = ConsoleMessage("\(refusal): \(refused.description)", isError: true)
            } catch let refused as AlertActionRefused {
                message = ConsoleMessage("\(refusal): \(refused.description)", isError: true)
            } catch {
                message = ConsoleMessage("\(refusal): \(error)", isError: true)
            }
            return { session in
                session.state.message = message
                session.reload(session.state.view)
            }
        }
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
        case .alertAction: action = "changing an alert"
        default: action = "that"
        }
        state.message = ConsoleMessage("read-only console: \(action) refused", isError: true)
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
        case .incident: concerned = kinds.contains("alert") || kinds.contains("execution") || kinds.contains("approval")
        }
        return concerned ? [state.view] : []
    }

    /// Handles an event from another thread.
    func handle(_ event: ConsoleEvent) {
        switch event {
        case .dryRunFinished(let id):
            state.dryRun.running = false
            read({ state, queries in state.dryRun.result = try queries.executionDetail(id) },
                 keep: { session, read in session.state.dryRun.result = read.dryRun.result })
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
