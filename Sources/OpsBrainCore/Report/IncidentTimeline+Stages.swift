import Foundation

/// A stage an incident goes through on its way from the alert to its end.
public enum IncidentStage: String, Sendable, Equatable, CaseIterable {
    case alert
    case diagnosis
    case decision
    case approval
    case fix
    case verified
    case closed

    /// The stage as a table row names it.
    public var label: String {
        switch self {
        case .alert: return "alert fired"
        case .diagnosis: return "diagnosis started"
        case .decision: return "decided"
        case .approval: return "approval decided"
        case .fix: return "fix started"
        case .verified: return "fix verified"
        case .closed: return "closed"
        }
    }
}

/// When an incident reached a stage, and how long that took.
public struct StageTime: Sendable, Equatable {
    public var stage: IncidentStage
    public var at: Date
    /// Seconds from the alert.
    public var sinceAlert: TimeInterval
    /// Seconds from the stage reached before it (the alert's for the first).
    public var sincePrevious: TimeInterval

    public init(stage: IncidentStage, at: Date, sinceAlert: TimeInterval, sincePrevious: TimeInterval) {
        self.stage = stage
        self.at = at
        self.sinceAlert = sinceAlert
        self.sincePrevious = sincePrevious
    }
}

extension IncidentTimeline {
    /// The stages the incident reached, in stage order, each at its first occurrence across the
    /// runs (dry runs a person started meanwhile do not count); `closed` once every run has
    /// finished, at the last run's end. Stages not reached (no approval asked, nothing verified)
    /// are left out.
    public var stages: [StageTime] {
        guard let start = alertTime else { return [] }
        let runs = executions.filter { !$0.dryRun }
        var reached: [(IncidentStage, Date)] = [(.alert, start)]
        let firsts: [(IncidentStage, Date?)] = [
            (.diagnosis, runs.flatMap(\.steps).filter { $0.phase == .diagnosis }.map(\.startedAt).min()),
            (.decision, runs.compactMap(\.decidedAt).min()),
            (.approval, runs.compactMap { $0.approval?.decidedAt }.min()),
            (.fix, runs.compactMap(\.fixStartedAt).min()),
            (.verified, runs.compactMap(\.verifiedAt).min()),
            (.closed, closedAt),
        ]
        for case let (stage, at?) in firsts { reached.append((stage, at)) }
        var previous = start
        return reached.map { stage, at in
            defer { previous = at }
            return StageTime(stage: stage, at: at, sinceAlert: at.timeIntervalSince(start), sincePrevious: at.timeIntervalSince(previous))
        }
    }

    /// When the incident began: its first alert, or its first run when no alert is known (a dry run).
    public var alertTime: Date? {
        alerts.map(\.createdAt).min() ?? executions.map(\.startedAt).min()
    }

    /// When the last run ended, once every run has; nil while one is still going (or there is none
    /// but dry runs).
    public var closedAt: Date? {
        let runs = executions.filter { !$0.dryRun }
        guard !runs.isEmpty, runs.allSatisfy({ $0.status.isTerminal }) else { return nil }
        return runs.compactMap(\.completedAt).max()
    }

    /// The same incident with every free text masked by `redactor`: alert titles and labels, reasons,
    /// step results, delivery errors, audit messages. Stored step results and audit messages were
    /// redacted when written; this also covers what people and sources wrote.
    public func redacted(by redactor: SecretRedactor) -> IncidentTimeline {
        var copy = self
        copy.alerts = alerts.map { alert in
            var alert = alert
            alert.title = redactor.redact(alert.title)
            alert.labels = alert.labels.mapValues(redactor.redact)
            alert.rejectionReason = alert.rejectionReason.map(redactor.redact)
            return alert
        }
        copy.executions = executions.map { run in
            var run = run
            run.escalationReason = run.escalationReason.map(redactor.redact)
            run.steps = run.steps.map { step in
                var step = step
                step.result = redactor.redact(step.result)
                return step
            }
            run.approval = run.approval.map { approval in
                var approval = approval
                approval.reason = approval.reason.map(redactor.redact)
                approval.plannedOperations = approval.plannedOperations.map(redactor.redact)
                approval.decisionReason = approval.decisionReason.map(redactor.redact)
                return approval
            }
            return run
        }
        copy.deliveries = deliveries.map { delivery in
            var delivery = delivery
            delivery.attempts = delivery.attempts.map { attempt in
                var attempt = attempt
                attempt.error = attempt.error.map(redactor.redact)
                return attempt
            }
            return delivery
        }
        copy.audit = audit.map { row in
            var row = row
            row.message = redactor.redact(row.message)
            return row
        }
        return copy
    }
}
