import Foundation

/// One incident, whole: its alerts (the first, a storm's that joined, the same problem firing
/// again), every run of it with its steps and approval, the notifications sent and the audit
/// trail, merged into one list in time order (`entries`). A pure value: the store fills it, the
/// postmortem renderer and the console read it.
public struct IncidentTimeline: Sendable, Equatable {
    /// What an entry of the merged timeline records.
    public enum EntryKind: String, Sendable, Equatable, CaseIterable {
        case alertFired = "alert_fired"
        /// An alert of a storm joined a run already open.
        case alertJoined = "alert_joined"
        case alertResolved = "alert_resolved"
        case step
        case approvalRequested = "approval_requested"
        case approvalDecided = "approval_decided"
        /// One attempt to deliver a notification (or one still waiting for its first).
        case notification
        case audit
    }

    /// One line of the merged timeline.
    public struct Entry: Sendable, Equatable {
        public var at: Date
        public var kind: EntryKind
        /// The run it belongs to, when it belongs to one.
        public var executionID: UUID?
        public var text: String

        public init(at: Date, kind: EntryKind, executionID: UUID? = nil, text: String) {
            self.at = at
            self.kind = kind
            self.executionID = executionID
            self.text = text
        }
    }

    /// Oldest first.
    public var alerts: [IncidentAlert]
    /// Oldest first.
    public var executions: [IncidentExecution]
    public var deliveries: [IncidentDelivery]
    public var audit: [IncidentAuditEntry]

    /// Sorts each list by time (deliveries and audit rows of the same instant keep the order given);
    /// a run's steps keep the order they ran in.
    public init(alerts: [IncidentAlert], executions: [IncidentExecution], deliveries: [IncidentDelivery] = [],
                audit: [IncidentAuditEntry] = []) {
        self.alerts = alerts.sorted { ($0.createdAt, $0.id.uuidString) < ($1.createdAt, $1.id.uuidString) }
        self.executions = executions.sorted { ($0.startedAt, $0.id.uuidString) < ($1.startedAt, $1.id.uuidString) }
        self.deliveries = deliveries.stablySorted { $0.createdAt }
        self.audit = audit.stablySorted { $0.at }
    }

    /// The alert the incident is about: the first that did not join another's run.
    public var primaryAlert: IncidentAlert? { alerts.first { $0.joinedExecutionID == nil } ?? alerts.first }

    /// The incident's title: its primary alert's, else its first run's SOP.
    public var title: String {
        primaryAlert?.title ?? executions.first.map { "run \($0.shortID) of \($0.sopLabel)" } ?? "empty incident"
    }

    /// True while a run is not finished or the primary alert still fires.
    public var isOpen: Bool {
        executions.contains { !$0.status.isTerminal } || primaryAlert?.status == .firing
    }

    /// An SOP and the version a run used.
    public struct SOPUse: Sendable, Equatable {
        public var name: String
        public var version: Int?

        public init(name: String, version: Int?) {
            self.name = name
            self.version = version
        }
    }

    /// Every SOP version the runs used, in the order first used.
    public var sopsUsed: [SOPUse] {
        var seen: [SOPUse] = []
        for run in executions {
            guard let name = run.sopName else { continue }
            let use = SOPUse(name: name, version: run.sopVersion)
            if !seen.contains(use) { seen.append(use) }
        }
        return seen
    }

    /// Everything that happened, oldest first; entries of the same instant keep the order alert,
    /// audit, step, approval, notification.
    public var entries: [Entry] {
        let all = alertEntries + audit.map { row in
            Entry(at: row.at, kind: .audit, executionID: row.executionID, text: "\(row.kind) (\(row.actor)): \(row.message)")
        } + executions.flatMap(runEntries) + deliveries.flatMap(deliveryEntries)
        return all.enumerated().sorted { lhs, rhs in
            (lhs.element.at, Self.rank(lhs.element.kind), lhs.offset) < (rhs.element.at, Self.rank(rhs.element.kind), rhs.offset)
        }.map(\.element)
    }

    private static func rank(_ kind: EntryKind) -> Int {
        switch kind {
        case .alertFired, .alertJoined, .alertResolved: return 0
        case .audit: return 1
        case .step: return 2
        case .approvalRequested, .approvalDecided: return 3
        case .notification: return 4
        }
    }

    private var alertEntries: [Entry] {
        let primary = primaryAlert?.id
        return alerts.flatMap { alert -> [Entry] in
            let seen = alert.count > 1 ? ", seen \(alert.count) times" : ""
            let fired: Entry
            if let run = alert.joinedExecutionID {
                fired = Entry(at: alert.createdAt, kind: .alertJoined, executionID: run,
                              text: "alert \"\(alert.title)\" joined run \(Self.short(run)) (storm)\(seen)")
            } else {
                let again = alert.id != primary && alert.fingerprint != nil ? "fired again (same fingerprint): " : "fired: "
                fired = Entry(at: alert.createdAt, kind: .alertFired,
                              text: "alert \(again)\"\(alert.title)\" (\(alert.severity.rawValue), \(alert.alertType) from \(alert.source)\(seen))")
            }
            guard let resolvedAt = alert.resolvedAt else { return [fired] }
            return [fired, Entry(at: resolvedAt, kind: .alertResolved, executionID: alert.joinedExecutionID,
                                 text: "alert \"\(alert.title)\" resolved")]
        }
    }

    private func runEntries(_ run: IncidentExecution) -> [Entry] {
        var entries = run.steps.map { step in
            Entry(at: step.startedAt, kind: .step, executionID: run.id, text: "\(step.label) \(step.outcome): \(step.summary)")
        }
        guard let approval = run.approval else { return entries }
        let risk = approval.risk.map { " (risk \($0.rawValue))" } ?? ""
        entries.append(Entry(at: approval.requestedAt, kind: .approvalRequested, executionID: run.id,
                             text: "approval requested\(risk): \(approval.reason ?? "no reason recorded")"))
        if let decidedAt = approval.decidedAt {
            entries.append(Entry(at: decidedAt, kind: .approvalDecided, executionID: run.id, text: "approval " + approval.outcome))
        }
        return entries
    }

    private func deliveryEntries(_ delivery: IncidentDelivery) -> [Entry] {
        guard !delivery.attempts.isEmpty else {
            return [Entry(at: delivery.createdAt, kind: .notification, executionID: delivery.executionID,
                          text: "\(delivery.label): \(delivery.status.rawValue), not tried yet")]
        }
        return delivery.attempts.map { attempt in
            let status = attempt.httpStatus.map { ", HTTP \($0)" } ?? ""
            let error = attempt.error.map { ": \($0)" } ?? ""
            return Entry(at: attempt.at, kind: .notification, executionID: delivery.executionID,
                         text: "\(delivery.label) attempt \(attempt.number): \(attempt.outcome.rawValue)\(status)\(error)")
        }
    }

    /// The 8 characters of an id every list shows.
    static func short(_ id: UUID) -> String { String(id.uuidString.lowercased().prefix(8)) }
}

extension Array {
    /// Sorted by `key`; elements with equal keys keep their order.
    fileprivate func stablySorted(by key: (Element) -> Date) -> [Element] {
        enumerated().sorted { (key($0.element), $0.offset) < (key($1.element), $1.offset) }.map(\.element)
    }
}
