import Foundation
import OpsBrainCore

/// One recorded step run.
public struct StepRecord: Sendable {
    public var phase: StepPhase
    public var stepID: String
    public var attempt: Int
    public var status: StepStatus
    public var result: JSONValue
    public var undo: JSONValue?
    public var startedAt: Date
    public var finishedAt: Date?
    /// The round of a read-only phase the step ran in (its run token); nil for fix and rollback steps.
    public var run: String?
}

extension ExecutionRepository {
    /// The idempotency key of one step run: a fix step of an attempt runs at most once, ever.
    /// Read-only phases pass a `run` token, so a re-run after a crash is recorded anew.
    public static func stepKey(_ executionID: UUID, phase: StepPhase, stepID: String, attempt: Int, run: String? = nil) -> String {
        "\(executionID.uuidString.lowercased()):\(phase.rawValue):\(stepID):\(attempt)" + (run.map { ":\($0)" } ?? "")
    }

    /// The run token at the end of a step key, when it has one.
    static func runToken(_ key: String) -> String? {
        let parts = key.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 5 ? String(parts[4]) : nil
    }

    /// Records that a step starts (with `result` so far, when given); false when it already started
    /// before, or when this repository's engine no longer holds the run: it must not run.
    public func beginStep(_ executionID: UUID, phase: StepPhase, stepID: String, attempt: Int, run: String? = nil,
                          result: JSONValue? = nil) throws -> Bool {
        let key = Self.stepKey(executionID, phase: phase, stepID: stepID, attempt: attempt, run: run)
        return try !connection.query("""
            INSERT INTO self_healing_execution_steps (execution_id, phase, step_id, attempt, idempotency_key, status, result)
            SELECT $1::uuid, $2, $3, $4, $5, 'started', coalesce($6::jsonb, '{}'::jsonb)
            WHERE $7::text IS NULL OR EXISTS (SELECT 1 FROM self_healing_executions WHERE id = $1::uuid AND claimed_by = $7)
            ON CONFLICT (idempotency_key) DO NOTHING RETURNING id
            """, [executionID, phase.rawValue, stepID, attempt, key, result, claimHolder]).rows.isEmpty
    }

    /// Records how a started step ended.
    public func finishStep(_ executionID: UUID, phase: StepPhase, stepID: String, attempt: Int, run: String? = nil,
                           status: StepStatus, result: JSONValue, undo: JSONValue?) throws {
        try connection.query("""
            UPDATE self_healing_execution_steps SET status = $2, result = $3::jsonb, undo = $4::jsonb, finished_at = now()
            WHERE idempotency_key = $1
            """, [Self.stepKey(executionID, phase: phase, stepID: stepID, attempt: attempt, run: run), status.rawValue, result, undo])
    }

    /// Every step run of an execution, in order.
    public func steps(_ executionID: UUID) throws -> [StepRecord] {
        try connection.query("""
            SELECT phase, step_id, attempt, status, result::text AS result_text, undo::text AS undo_text, started_at, finished_at,
                   idempotency_key
            FROM self_healing_execution_steps WHERE execution_id = $1::uuid ORDER BY id
            """, [executionID]).rows.map { row in
            StepRecord(phase: row.string("phase").flatMap(StepPhase.init(rawValue:)) ?? .diagnosis, stepID: row.string("step_id") ?? "", attempt: row.int("attempt") ?? 1,
                       status: row.string("status").flatMap(StepStatus.init(rawValue:)) ?? .failed, result: row.string("result_text").flatMap { try? JSONValue(parsing: $0) } ?? .null,
                       undo: row.string("undo_text").flatMap { try? JSONValue(parsing: $0) },
                       startedAt: row.date("started_at") ?? Date(), finishedAt: row.date("finished_at"),
                       run: row.string("idempotency_key").flatMap(Self.runToken))
        }
    }
}
