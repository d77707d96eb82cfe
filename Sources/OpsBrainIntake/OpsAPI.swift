import Foundation
import OpsBrainCore
import OpsBrainPostgres

/// The ops API for dashboards and scripts: executions, SOPs, approvals, and the human decisions.
///
/// Reads and decisions need the bearer token when one is configured; decisions are refused
/// outright without a token, so an open port can never approve a fix.
struct OpsAPI {
    let service: IntakeService

    func register(in router: inout Router) {
        router.add("GET", "/api/v1/executions") { request, _ in guarded(request) { listExecutions(request) } }
        router.add("GET", "/api/v1/executions/{id}") { request, path in guarded(request) { execution(path["id"] ?? "") } }
        router.add("GET", "/api/v1/sops") { request, _ in guarded(request) { sops() } }
        router.add("GET", "/api/v1/approvals") { request, _ in guarded(request) { approvals() } }
        for action in ["approve", "reject", "rollback"] {
            router.add("POST", "/api/v1/executions/{id}/\(action)") { request, path in
                guarded(request) { decide(action, id: path["id"] ?? "", request: request) }
            }
        }
    }

    private func guarded(_ request: HTTPServerRequest, _ body: () -> HTTPServerResponse) -> HTTPServerResponse {
        service.unauthorized(request) ?? body()
    }

    private func listExecutions(_ request: HTTPServerRequest) -> HTTPServerResponse {
        let limit = min(500, Int(request.query["limit"] ?? "") ?? 50)
        let since = request.query["since"].flatMap(DurationSyntax.parse).map { Int($0.components.seconds) }
        if let status = request.query["status"], ExecutionStatus(rawValue: status) == nil {
            return .error(400, "unknown status '\(status)'", field: "status")
        }
        var cursor: (Date, UUID)?
        if let before = request.query["before"] {
            let parts = before.split(separator: ",")
            guard parts.count == 2, let seconds = Double(parts[0]), let id = UUID(uuidString: String(parts[1])) else {
                return .error(400, "expected <epoch seconds>,<execution id> (the next_before of a previous page)", field: "before")
            }
            cursor = (Date(timeIntervalSince1970: seconds), id)
        }
        return service.withDatabase { connection in
            let rows = try ExecutionRepository(connection: connection).list(status: request.query["status"], sinceSeconds: since,
                                                                            limit: limit, before: cursor)
            var body: [String: JSONValue] = ["executions": .array(rows.map(Self.json))]
            if rows.count == limit, let last = rows.last {
                body["next_before"] = .string("\(last.startedAt.timeIntervalSince1970),\(last.id.uuidString.lowercased())")
            }
            return .json(200, .object(body))
        }
    }

    private func execution(_ text: String) -> HTTPServerResponse {
        guard let id = UUID(uuidString: text) else { return .error(400, "'\(text)' is not an execution id", field: "id") }
        return service.withDatabase { connection in
            guard let detail = try ExecutionRepository(connection: connection).detail(id) else {
                return .error(404, "no execution \(text)")
            }
            var body = Self.json(detail.summary).objectValue ?? [:]
            body["attempts"] = .number(Double(detail.attempts))
            body["escalation_reason"] = detail.escalationReason.map(JSONValue.string) ?? .null
            body["approved_by"] = detail.approvedBy.map(JSONValue.string) ?? .null
            body["confidence_breakdown"] = detail.confidenceBreakdown ?? .null
            body["diagnosis"] = detail.diagnosis ?? .null
            body["verification"] = detail.verification ?? .null
            body["steps"] = .array(detail.steps.map { .object(["phase": .string($0.phase.rawValue), "step": .string($0.stepID),
                                                               "attempt": .number(Double($0.attempt)), "status": .string($0.status.rawValue),
                                                               "result": $0.result]) })
            body["audit"] = .array(detail.audit.map { .object(["at": .string(ISO8601DateFormatter().string(from: $0.at)),
                                                               "actor": .string($0.actor), "kind": .string($0.kind),
                                                               "message": .string($0.message)]) })
            return .json(200, .object(body))
        }
    }

    private func sops() -> HTTPServerResponse {
        service.withDatabase { connection in
            .json(200, .object(["sops": .array(try SOPRepository(connection: connection).list().map { sop in
                .object(["name": .string(sop.name), "category": .string(sop.category), "risk": .string(sop.risk),
                         "auto_fix": .bool(sop.autoFix), "requires_approval": .bool(sop.requiresApproval),
                         "version": .number(Double(sop.version)), "times_executed": .number(Double(sop.timesExecuted)),
                         "times_successful": .number(Double(sop.timesSuccessful)),
                         "success_rate": sop.successRate.map { .number($0) } ?? .null])
            })]))
        }
    }

    private func approvals() -> HTTPServerResponse {
        service.withDatabase { connection in
            .json(200, .object(["approvals": .array(try ApprovalRepository(connection: connection).pending().map { item in
                .object(["execution_id": .string(item.executionID.uuidString.lowercased()),
                         "requested_at": .string(ISO8601DateFormatter().string(from: item.requestedAt)),
                         "sop": item.sopName.map(JSONValue.string) ?? .null, "alert": item.alertTitle.map(JSONValue.string) ?? .null,
                         "summary": item.summary])
            })]))
        }
    }

    private func decide(_ action: String, id text: String, request: HTTPServerRequest) -> HTTPServerResponse {
        guard service.token != nil else {
            return .error(403, "decisions over HTTP need a bearer token: set engine.api_token_env")
        }
        guard let id = UUID(uuidString: text) else { return .error(400, "'\(text)' is not an execution id", field: "id") }
        let body = (String(validating: request.body, as: UTF8.self)).flatMap { try? JSONValue(parsing: $0) } ?? .object([:])
        guard let name = body["approver"]?.stringValue, !name.isEmpty else {
            return .error(400, "the approver's identity is required", field: "approver")
        }
        let reason = body["reason"]?.stringValue
        if action == "reject" && (reason ?? "").isEmpty { return .error(400, "a reason is required to reject", field: "reason") }
        let approver = Approver(name: "\(name) (api)", address: request.peer)
        return service.withDatabase { connection in
            let approvals = ApprovalRepository(connection: connection)
            switch action {
            case "approve": try approvals.decide(id, approve: true, approver: approver, reason: nil)
            case "reject": try approvals.decide(id, approve: false, approver: approver, reason: reason)
            default: try approvals.requestRollback(id, approver: approver, harmful: body["harmful"]?.boolValue == true)
            }
            return .json(200, .object(["execution_id": .string(text.lowercased()), "action": .string(action),
                                       "by": .string(approver.name), "from": .string(request.peer)]))
        }
    }

    static func json(_ summary: ExecutionSummary) -> JSONValue {
        .object(["id": .string(summary.id.uuidString.lowercased()), "status": .string(summary.status),
                 "sop": summary.sopName.map(JSONValue.string) ?? .null, "alert": summary.alertTitle.map(JSONValue.string) ?? .null,
                 "confidence": summary.confidence.map { .number(Double($0)) } ?? .null,
                 "decision": summary.decision.map(JSONValue.string) ?? .null,
                 "started_at": .string(ISO8601DateFormatter().string(from: summary.startedAt)),
                 "completed_at": summary.completedAt.map { .string(ISO8601DateFormatter().string(from: $0)) } ?? .null,
                 "dry_run": .bool(summary.dryRun)])
    }
}
