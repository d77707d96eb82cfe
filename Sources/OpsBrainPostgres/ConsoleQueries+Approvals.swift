import Foundation
import OpsBrainCore

/// A fix waiting for a human: what was found, what would run, at what risk and confidence.
public struct ConsoleApproval: Sendable, Equatable {
    public var executionID: UUID
    public var requestedAt: Date
    /// The engine's summary: `sop`, `risk`, `reason`, `confidence` and `operations` (each `id`, `operation`, `plan`, `class`).
    public var summary: JSONValue
    public var sopName: String?
    public var alertTitle: String?
    public var alertSeverity: String?
    public var confidence: Int?
    /// The diagnosis: `findings` and each step's verdict and values.
    public var diagnosis: JSONValue?
    public var breakdown: JSONValue?

    public init(executionID: UUID, requestedAt: Date, summary: JSONValue, sopName: String?, alertTitle: String?,
                alertSeverity: String? = nil, confidence: Int? = nil, diagnosis: JSONValue? = nil, breakdown: JSONValue? = nil) {
        self.executionID = executionID
        self.requestedAt = requestedAt
        self.summary = summary
        self.sopName = sopName
        self.alertTitle = alertTitle
        self.alertSeverity = alertSeverity
        self.confidence = confidence
        self.diagnosis = diagnosis
        self.breakdown = breakdown
    }

    /// The risk from the summary.
    public var risk: String { summary["risk"]?.stringValue ?? "?" }

    /// The planned operations from the summary.
    public var operations: [JSONValue] { summary["operations"]?.arrayValue ?? [] }
}

extension ConsoleQueries {
    /// Approvals still undecided whose execution waits for them, the longest waiting first (at most `limit`).
    public func pendingApprovals(filter: ListFilter? = nil, limit: Int = 500) throws -> [ConsoleApproval] {
        let parameters = SQLParameters()
        let condition = Self.filterCondition(filter, haystack: "coalesce(s.sop_name, '') || ' ' || coalesce(al.title, '') || ' ' "
                                             + "|| ap.summary::text", parameters)
        return try connection.query("""
            SELECT ap.execution_id, ap.requested_at, ap.summary::text AS summary_text, s.sop_name, al.title, al.severity,
                   e.confidence_score, e.diagnosis_results::text AS diagnosis, e.confidence_breakdown::text AS breakdown
            FROM self_healing_approvals ap JOIN self_healing_executions e ON e.id = ap.execution_id
            LEFT JOIN self_healing_sops s ON s.id = e.sop_id LEFT JOIN intelligence_alerts al ON al.id = e.alert_id
            WHERE ap.decision IS NULL AND e.status = 'awaiting_approval' AND \(condition)
            ORDER BY ap.requested_at, ap.execution_id LIMIT \(limit)
            """, parameters.values).rows.compactMap { row in
            guard let id = row.uuid("execution_id") else { return nil }
            return ConsoleApproval(executionID: id, requestedAt: row.date("requested_at") ?? Date(),
                                   summary: row.json("summary_text") ?? .null, sopName: row.string("sop_name"),
                                   alertTitle: row.string("title"), alertSeverity: row.string("severity"),
                                   confidence: row.int("confidence_score"), diagnosis: row.json("diagnosis"),
                                   breakdown: row.json("breakdown"))
        }
    }
}
