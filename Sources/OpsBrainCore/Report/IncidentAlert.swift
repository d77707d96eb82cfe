import Foundation

/// One alert of an incident: the one that opened it, one of a storm that joined its run, or the
/// same problem (same fingerprint) firing again.
public struct IncidentAlert: Sendable, Equatable {
    /// Where an alert stands, as `intelligence_alerts.status` says.
    public enum Status: String, Sendable, Equatable, CaseIterable {
        case firing, resolved, rejected
    }

    public var id: UUID
    public var source: String
    public var alertType: String
    public var title: String
    public var severity: Severity
    public var status: Status
    public var fingerprint: String?
    /// How often its source sent it while it fired (repeats are counted on this one row).
    public var count: Int
    public var labels: [String: String]
    public var createdAt: Date
    public var lastSeenAt: Date
    public var resolvedAt: Date?
    /// Why intake turned it away, when it did.
    public var rejectionReason: String?
    /// The run it joined as part of a storm, instead of opening its own.
    public var joinedExecutionID: UUID?

    public init(id: UUID, source: String, alertType: String, title: String, severity: Severity, status: Status,
                fingerprint: String? = nil, count: Int = 1, labels: [String: String] = [:], createdAt: Date, lastSeenAt: Date? = nil,
                resolvedAt: Date? = nil, rejectionReason: String? = nil, joinedExecutionID: UUID? = nil) {
        self.id = id
        self.source = source
        self.alertType = alertType
        self.title = title
        self.severity = severity
        self.status = status
        self.fingerprint = fingerprint
        self.count = count
        self.labels = labels
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt ?? createdAt
        self.resolvedAt = resolvedAt
        self.rejectionReason = rejectionReason
        self.joinedExecutionID = joinedExecutionID
    }
}

/// One row of the audit trail that concerns an incident's alerts or runs.
public struct IncidentAuditEntry: Sendable, Equatable {
    public var at: Date
    public var actor: String
    /// The row's kind as the writer named it (`decision`, `status_fixing`, `approval_approved`, ...):
    /// an open vocabulary of the audit log, shown as written.
    public var kind: String
    public var executionID: UUID?
    public var alertID: UUID?
    public var message: String

    public init(at: Date, actor: String, kind: String, executionID: UUID? = nil, alertID: UUID? = nil, message: String) {
        self.at = at
        self.actor = actor
        self.kind = kind
        self.executionID = executionID
        self.alertID = alertID
        self.message = message
    }
}
