import Foundation
import OpsBrainCore

/// An alert as its actions read it: what it is, and who acknowledged, snoozed, resolved or silenced it.
public struct AlertActionState: Sendable, Equatable {
    public var id: UUID
    public var title: String
    public var source: String
    public var status: AlertStatus
    public var labels: [String: String]
    public var evidence: JSONValue
    public var acknowledgedBy: String?
    public var acknowledgedAt: Date?
    public var snoozedBy: String?
    public var snoozedUntil: Date?
    public var resolvedBy: String?
    public var resolutionReason: String?
    public var silenceID: String?
    public var silencedBy: String?
    public var silencedUntil: Date?
    /// The configured Alertmanager target the silence was made on.
    public var silencedAtTarget: String?

    /// The columns `init(row:)` reads.
    static let columns = """
        id, title, source, status, labels::text AS labels_text, evidence::text AS evidence_text, acknowledged_by, acknowledged_at,
        snoozed_by, snoozed_until, resolved_by, resolution_reason, silence_id, silenced_by, silenced_until, silenced_at_target
        """

    init?(row: Row) {
        guard let id = row.uuid("id"), let status = row.string("status").flatMap(AlertStatus.init(rawValue:)) else { return nil }
        self.id = id
        self.status = status
        title = row.string("title") ?? ""
        source = row.string("source") ?? ""
        labels = row.string("labels_text").flatMap { try? JSONValue(parsing: $0) }?.objectValue?
            .compactMapValues { $0.stringValue ?? $0.jsonText } ?? [:]
        evidence = row.string("evidence_text").flatMap { try? JSONValue(parsing: $0) } ?? .object([:])
        acknowledgedBy = row.string("acknowledged_by")
        acknowledgedAt = row.date("acknowledged_at")
        snoozedBy = row.string("snoozed_by")
        snoozedUntil = row.date("snoozed_until")
        resolvedBy = row.string("resolved_by")
        resolutionReason = row.string("resolution_reason")
        silenceID = row.string("silence_id")
        silencedBy = row.string("silenced_by")
        silencedUntil = row.date("silenced_until")
        silencedAtTarget = row.string("silenced_at_target")
    }

    /// `2026-05-01 03:42:00 UTC`, as action messages show a time.
    public static func utcText(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime]
        return formatter.string(from: date) + " UTC"
    }
}
