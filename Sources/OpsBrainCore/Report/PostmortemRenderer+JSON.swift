import Foundation

extension PostmortemRenderer {
    /// The draft as JSON: keys sorted, times in ISO 8601 (UTC, milliseconds), ids in lowercase.
    public func json() -> String {
        let document: JSONValue = .object([
            "format": .string("opsbrain.incident/1"),
            "title": .string(timeline.title),
            "open": .bool(timeline.isOpen),
            "primary_alert_id": Self.id(timeline.primaryAlert?.id),
            "alerts": .array(timeline.alerts.map(Self.json)),
            "executions": .array(timeline.executions.map(Self.json)),
            "notifications": .array(timeline.deliveries.map(Self.json)),
            "audit": .array(timeline.audit.map { row in
                .object(["at": Self.time(row.at), "actor": .string(row.actor), "kind": .string(row.kind),
                         "execution_id": Self.id(row.executionID), "alert_id": Self.id(row.alertID), "message": .string(row.message)])
            }),
            "timeline": .array(timeline.entries.map { entry in
                .object(["at": Self.time(entry.at), "kind": .string(entry.kind.rawValue), "execution_id": Self.id(entry.executionID),
                         "text": .string(entry.text)])
            }),
            "stages": .array(timeline.stages.map { stage in
                .object(["stage": .string(stage.stage.rawValue), "at": Self.time(stage.at),
                         "seconds_since_alert": Self.seconds(stage.sinceAlert), "seconds_since_previous": Self.seconds(stage.sincePrevious)])
            }),
            "sops": .array(timeline.sopsUsed.map { .object(["name": .string($0.name), "version": Self.number($0.version)]) }),
            "open_questions": .array(openQuestions.map(JSONValue.string)),
        ])
        let options: JSONSerialization.WritingOptions = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // A tree of strings, numbers, booleans, arrays and objects always serializes.
        let data = (try? JSONSerialization.data(withJSONObject: Self.foundation(document), options: options)) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private static func json(_ alert: IncidentAlert) -> JSONValue {
        .object(["id": id(alert.id), "source": .string(alert.source), "alert_type": .string(alert.alertType), "title": .string(alert.title),
                 "severity": .string(alert.severity.rawValue), "status": .string(alert.status.rawValue),
                 "fingerprint": alert.fingerprint.map(JSONValue.string) ?? .null, "count": number(alert.count),
                 "labels": .object(alert.labels.mapValues(JSONValue.string)), "created_at": time(alert.createdAt),
                 "last_seen_at": time(alert.lastSeenAt), "resolved_at": time(alert.resolvedAt),
                 "rejection_reason": text(alert.rejectionReason), "joined_execution_id": id(alert.joinedExecutionID)])
    }

    private static func json(_ run: IncidentExecution) -> JSONValue {
        .object(["id": id(run.id), "alert_id": id(run.alertID), "sop": text(run.sopName), "sop_version": number(run.sopVersion),
                 "status": .string(run.status.rawValue), "mode": .string(run.mode.rawValue), "decision": text(run.decision?.word),
                 "confidence": number(run.confidence), "attempts": number(run.attempts), "max_attempts": number(run.maxAttempts),
                 "dry_run": .bool(run.dryRun), "instance": text(run.instance), "started_at": time(run.startedAt),
                 "decided_at": time(run.decidedAt), "fix_started_at": time(run.fixStartedAt), "verified_at": time(run.verifiedAt),
                 "completed_at": time(run.completedAt), "escalation_reason": text(run.escalationReason),
                 "rollback_requested_by": text(run.rollbackRequestedBy), "approval": run.approval.map(json) ?? .null,
                 "steps": .array(run.steps.map(json))])
    }

    private static func json(_ approval: IncidentApproval) -> JSONValue {
        .object(["requested_at": time(approval.requestedAt), "reason": text(approval.reason), "risk": text(approval.risk?.rawValue),
                 "planned_operations": .array(approval.plannedOperations.map(JSONValue.string)),
                 "decision": text(approval.decision?.rawValue), "decided_by": text(approval.decidedBy),
                 "decided_from": text(approval.decidedFrom), "decided_at": time(approval.decidedAt),
                 "decision_reason": text(approval.decisionReason)])
    }

    private static func json(_ step: IncidentStep) -> JSONValue {
        .object(["phase": .string(step.phase.rawValue), "step_id": .string(step.stepID), "name": text(step.name),
                 "attempt": number(step.attempt), "status": .string(step.status.rawValue), "verdict": text(step.verdict?.rawValue),
                 "started_at": time(step.startedAt), "finished_at": time(step.finishedAt), "summary": .string(step.summary),
                 "evidence": .array(step.evidence.map { item in
                     .object(["value_name": .string(item.valueName), "value": item.value ?? .null, "expected": text(item.expected),
                              "holds": item.holds.map(JSONValue.bool) ?? .null])
                 }),
                 "result": step.result])
    }

    private static func json(_ delivery: IncidentDelivery) -> JSONValue {
        .object(["execution_id": id(delivery.executionID), "event": .string(delivery.event.rawValue),
                 "channel": .string(delivery.channel.rawValue), "action": .string(delivery.action.rawValue),
                 "destination": text(delivery.destination), "status": .string(delivery.status.rawValue),
                 "created_at": time(delivery.createdAt),
                 "attempts": .array(delivery.attempts.map { attempt in
                     .object(["attempt": number(attempt.number), "at": time(attempt.at), "outcome": .string(attempt.outcome.rawValue),
                              "http_status": number(attempt.httpStatus), "error": text(attempt.error)])
                 })])
    }

    private static func id(_ value: UUID?) -> JSONValue { value.map { .string($0.uuidString.lowercased()) } ?? .null }
    private static func time(_ value: Date?) -> JSONValue { value.map { .string(iso($0)) } ?? .null }
    private static func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
    private static func number(_ value: Int?) -> JSONValue { value.map { .number(Double($0)) } ?? .null }
    /// Seconds to the millisecond.
    private static func seconds(_ value: TimeInterval) -> JSONValue { .number((value * 1000).rounded() / 1000) }

    /// The Foundation objects JSONSerialization writes: whole numbers as integers, JSON null as NSNull.
    private static func foundation(_ value: JSONValue) -> Any {
        switch value {
        case .null: return NSNull()
        case .bool(let flag): return flag
        case .number(let number): return Int64(exactly: number).map { $0 as Any } ?? number
        case .integer(let number): return number
        case .string(let text): return text
        case .array(let items): return items.map(foundation)
        case .object(let fields): return fields.mapValues(foundation)
        }
    }
}
