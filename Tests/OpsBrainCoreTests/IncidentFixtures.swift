import Foundation
@testable import OpsBrainCore

/// A fixed incident: a disk alert seen twice, a storm alert that joins its run, an approval that
/// waited six minutes, a fix that did not verify twice and was rolled back, a Slack message sent
/// and a Pushover message that failed.
enum IncidentFixtures {
    /// 2026-11-27 03:00:00 UTC.
    static let start = Date(timeIntervalSince1970: 1_795_748_400)

    static func at(_ seconds: TimeInterval) -> Date { start.addingTimeInterval(seconds) }

    static let alertID = UUID(uuidString: "a1a1a1a1-0000-4000-8000-000000000001")!
    static let stormID = UUID(uuidString: "a2a2a2a2-0000-4000-8000-000000000002")!
    static let runID = UUID(uuidString: "3d9f2ef4-0000-4000-8000-000000000003")!

    static func check(_ id: String, _ phase: StepPhase, attempt: Int, at seconds: TimeInterval, used: Double) -> IncidentStep {
        let holds = used < 90
        return IncidentStep(phase: phase, stepID: id, attempt: attempt, status: .succeeded, result: .object([
            "name": .string("Disk usage of /var"), "values": .object(["used_percent": .number(used), "free_bytes": .number(1024)]),
            "expect": .object(["used_percent": .object(["expected": .string("< 90"), "holds": .bool(holds)])]),
            "verdict": .string(holds ? "passed" : "failed"), "error": .null, "duration_ms": .number(12),
        ]), startedAt: at(seconds), finishedAt: at(seconds + 0.5))
    }

    static func fix(_ phase: StepPhase, attempt: Int, at seconds: TimeInterval, summary: String) -> IncidentStep {
        IncidentStep(phase: phase, stepID: "clean_tmp", attempt: attempt, status: .succeeded,
                     result: .object(["succeeded": .bool(true), "summary": .string(summary), "operation": .string("temp_cleanup")]),
                     startedAt: at(seconds), finishedAt: at(seconds + 2))
    }

    static var run: IncidentExecution {
        IncidentExecution(
            id: runID, alertID: alertID, sopName: "disk-cleanup", sopVersion: 3, status: .escalated, mode: .approval,
            decision: .requestApproval, confidence: 62, attempts: 2, maxAttempts: 2, startedAt: at(1), decidedAt: at(5),
            fixStartedAt: at(400), completedAt: at(600),
            escalationReason: "fix did not verify after 2 attempt(s); rolled back: undid clean_tmp, clean_tmp",
            approval: IncidentApproval(requestedAt: at(5), reason: "medium-risk fix needs approval", risk: .medium,
                                       plannedOperations: ["clean_tmp: delete files older than 1d under /var/tmp"],
                                       decision: .approved, decidedBy: "ana", decidedFrom: "10.0.0.5", decidedAt: at(390)),
            steps: [check("disk_usage", .diagnosis, attempt: 0, at: 2, used: 97),
                    fix(.fix, attempt: 1, at: 400, summary: "Moved 1,204 files to quarantine"),
                    check("disk_usage", .verification, attempt: 1, at: 460, used: 95),
                    fix(.fix, attempt: 2, at: 470, summary: "Moved 12 files to quarantine"),
                    check("disk_usage", .verification, attempt: 2, at: 530, used: 94),
                    fix(.rollback, attempt: 2, at: 590, summary: "Restored 12 files"),
                    fix(.rollback, attempt: 1, at: 595, summary: "Restored 1,204 files")])
    }

    static var timeline: IncidentTimeline {
        IncidentTimeline(
            alerts: [IncidentAlert(id: stormID, source: "alertmanager", alertType: "disk_full", title: "Disk full on web-2", severity: .high,
                                   status: .resolved, createdAt: at(30), resolvedAt: at(620), joinedExecutionID: runID),
                     IncidentAlert(id: alertID, source: "alertmanager", alertType: "disk_full", title: "Disk | full on web-1",
                                   severity: .high, status: .resolved, fingerprint: "f1", count: 2, createdAt: start, resolvedAt: at(615))],
            executions: [run],
            deliveries: [
                IncidentDelivery(executionID: runID, event: .approvalNeeded, channel: .slack, action: .post, destination: "#ops",
                                 status: .sent, createdAt: at(5), attempts: [.init(number: 1, at: at(6), outcome: .sent, httpStatus: 200)]),
                IncidentDelivery(executionID: runID, event: .escalation, channel: .pushover, action: .post, status: .failed,
                                 createdAt: at(600), attempts: [.init(number: 1, at: at(601), outcome: .failed, httpStatus: 400,
                                                                      error: "invalid user key")]),
            ],
            audit: [IncidentAuditEntry(at: at(5), actor: "engine:e1", kind: "decision", executionID: runID,
                                       message: "request_approval: medium-risk fix needs approval (confidence 62)"),
                    IncidentAuditEntry(at: at(390), actor: "human:ana", kind: "approval_approved", executionID: runID,
                                       message: "approved by ana from 10.0.0.5")])
    }
}
