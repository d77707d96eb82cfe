import Foundation

/// An alert as the engine sees it: normalized fields from `intelligence_alerts`.
public struct AlertSnapshot: Sendable, Equatable {
    public var id: UUID
    public var source: String
    public var alertType: String
    public var title: String
    public var severity: Severity
    public var labels: [String: String]
    public var evidence: JSONValue
    public var fingerprint: String?
    public var status: String
    public var count: Int
    public var createdAt: Date

    public init(id: UUID = UUID(), source: String = "test", alertType: String, title: String, severity: Severity = .medium,
                labels: [String: String] = [:], evidence: JSONValue = .object([:]), fingerprint: String? = nil,
                status: String = "firing", count: Int = 1, createdAt: Date = Date(timeIntervalSince1970: 0)) {
        self.id = id
        self.source = source
        self.alertType = alertType
        self.title = title
        self.severity = severity
        self.labels = labels
        self.evidence = evidence
        self.fingerprint = fingerprint
        self.status = status
        self.count = count
        self.createdAt = createdAt
    }
}
