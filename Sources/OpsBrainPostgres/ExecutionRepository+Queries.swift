import Foundation
import OpsBrainCore

/// One line of `opsbrain executions`.
public struct ExecutionSummary: Sendable {
    public var id: UUID
    public var status: String
    public var sopName: String?
    public var alertTitle: String?
    public var confidence: Int?
    public var decision: String?
    public var startedAt: Date
    public var completedAt: Date?
    public var dryRun: Bool
}

/// An audit trail row.
public struct AuditRecord: Sendable {
    public var id: Int
    public var at: Date
    public var actor: String
    public var kind: String
    public var message: String
    public var details: JSONValue
}

/// Everything `opsbrain execution show` prints.
public struct ExecutionDetail: Sendable {
    public var summary: ExecutionSummary
    public var sopVersion: Int?
    /// Which of its SOP's instances it is for, when the SOP's targets are sets of instances.
    public var instance: InstancePlacement?
    public var attempts: Int
    public var escalationReason: String?
    public var approvedBy: String?
    public var confidenceBreakdown: JSONValue?
    public var diagnosis: JSONValue?
    public var verification: JSONValue?
    public var fixActions: JSONValue?
    public var resolutionMs: Int?
    public var wasEffective: Bool?
    public var sopStatistics: (executed: Int, successful: Int, averageMs: Int?, lastFailure: String?)
    public var steps: [StepRecord]
    public var audit: [AuditRecord]
}

extension ExecutionRepository {
    /// How many restarts of the service targets `services` Ops Brain's fixes completed on
    /// `instance` (nil: on executions without one) within the last `window`.
    public func ownServiceRestarts(of services: Set<String>, instance: String?, within window: Duration) throws -> Int {
        try connection.query("""
            SELECT count(*) AS n FROM self_healing_execution_steps st JOIN self_healing_executions e ON e.id = st.execution_id
            WHERE st.phase = 'fix' AND st.status = 'succeeded' AND st.result->>'operation' = 'service_restart' AND NOT e.dry_run
              AND st.result->>'target' = ANY ($3::text[]) AND e.instance_key IS NOT DISTINCT FROM $1::text
              AND st.finished_at > clock_timestamp() - make_interval(secs => $2::double precision)
            """, [instance, window.asSeconds, PostgresArray(services.sorted())]).first?.int("n") ?? 0
    }

    /// When the still undecided approval request of `executionID` was made (nil: none is pending).
    public func approvalPendingSince(_ executionID: UUID) throws -> Date? {
        try connection.query("SELECT requested_at FROM self_healing_approvals WHERE execution_id = $1::uuid AND decision IS NULL",
                             [executionID]).first?.date("requested_at")
    }

    private static let summaryColumns = """
        e.id, e.status, s.sop_name, al.title, e.confidence_score, e.decision, e.started_at, e.completed_at, e.dry_run
        """
    private static let summaryJoins = """
        FROM self_healing_executions e LEFT JOIN self_healing_sops s ON s.id = e.sop_id
        LEFT JOIN intelligence_alerts al ON al.id = e.alert_id
        """

    /// Executions newest first, optionally by status and age, with keyset pagination (`before`).
    public func list(status: String?, sinceSeconds: Int?, limit: Int, before: (Date, UUID)? = nil) throws -> [ExecutionSummary] {
        try connection.query("""
            SELECT \(Self.summaryColumns) \(Self.summaryJoins)
            WHERE ($1::text IS NULL OR e.status = $1)
              AND ($2::int IS NULL OR e.started_at > now() - make_interval(secs => $2))
              AND ($4::timestamptz IS NULL OR (e.started_at, e.id) < ($4::timestamptz, $5::uuid))
            ORDER BY e.started_at DESC, e.id DESC LIMIT $3
            """, [status, sinceSeconds, limit, before?.0, before?.1]).rows.compactMap(Self.summary)
    }

    /// Resolves a full id or a unique prefix of one (`IDPrefix`).
    public func resolveID(_ text: String) throws -> UUID {
        try IDPrefix.resolve(text, in: .executions, connection: connection)
    }

    /// One execution with its steps, audit trail and its SOP's statistics.
    public func detail(_ id: UUID) throws -> ExecutionDetail? {
        guard let row = try connection.query("""
            SELECT \(Self.summaryColumns), e.sop_version, e.attempts, e.escalation_reason, e.approved_by,
                   e.confidence_breakdown::text AS breakdown, e.diagnosis_results::text AS diagnosis,
                   e.verification_results::text AS verification, e.fix_actions_taken::text AS fixes,
                   e.total_resolution_time_ms, e.was_effective_fix, s.times_executed, s.times_successful,
                   s.avg_resolution_time_ms, s.last_failure_reason, e.instance_scope, e.instance_key
            \(Self.summaryJoins) WHERE e.id = $1::uuid
            """, [id]).first, let summary = Self.summary(row) else { return nil }
        func json(_ column: String) -> JSONValue? { row.string(column).flatMap { try? JSONValue(parsing: $0) } }
        return ExecutionDetail(
            summary: summary, sopVersion: row.int("sop_version"),
            instance: InstancePlacement(row: row), attempts: row.int("attempts") ?? 0,
            escalationReason: row.string("escalation_reason"), approvedBy: row.string("approved_by"),
            confidenceBreakdown: json("breakdown"), diagnosis: json("diagnosis"), verification: json("verification"),
            fixActions: json("fixes"), resolutionMs: row.int("total_resolution_time_ms"), wasEffective: row.bool("was_effective_fix"),
            sopStatistics: (row.int("times_executed") ?? 0, row.int("times_successful") ?? 0, row.int("avg_resolution_time_ms"),
                            row.string("last_failure_reason")),
            steps: try steps(id), audit: try auditTrail(executionID: id))
    }

    /// The audit rows of one execution, oldest first.
    public func auditTrail(executionID: UUID) throws -> [AuditRecord] {
        try connection.query("""
            SELECT id, at, actor, kind, message, details::text AS details_text FROM self_healing_audit_log
            WHERE execution_id = $1::uuid ORDER BY id
            """, [executionID]).rows.map {
            AuditRecord(id: $0.int("id") ?? 0, at: $0.date("at") ?? Date(), actor: $0.string("actor") ?? "", kind: $0.string("kind") ?? "",
                        message: $0.string("message") ?? "", details: $0.string("details_text").flatMap { try? JSONValue(parsing: $0) } ?? .null)
        }
    }

    private static func summary(_ row: Row) -> ExecutionSummary? {
        guard let id = row.uuid("id") else { return nil }
        return ExecutionSummary(id: id, status: row.string("status") ?? "", sopName: row.string("sop_name"),
                                alertTitle: row.string("title"), confidence: row.int("confidence_score"),
                                decision: row.string("decision"), startedAt: row.date("started_at") ?? Date(),
                                completedAt: row.date("completed_at"), dryRun: row.bool("dry_run") ?? false)
    }
}

extension ExecutionRepository {

    /// Stores a firing alert as any source would, deduplicated by fingerprint (`IntakeRepository.storeFiring`).
    public func insertAlert(source: String, alertType: String, title: String, severity: String, labels: [String: String],
                            evidence: JSONValue, fingerprint: String?) throws -> UUID {
        try IntakeRepository(connection: connection).storeFiring(source: source, alertType: alertType, title: title,
                                                                 severity: severity, labels: labels, evidence: evidence,
                                                                 fingerprint: fingerprint).id
    }
}
