import Foundation
import OpsBrainCore

/// `alertmanager_silence`: creates a silence through Alertmanager's v2 API and expires it on rollback.
extension HTTPOperationDriver {
    static let silencesPath = "/api/v2/silences"

    /// `POST {url}/api/v2/silences: silence alerts matching {…} for 1h …; rollback: DELETE …`.
    func planSilence(_ operation: FixOperationSpec, context: StepContext) throws -> String {
        let endpoint = try endpoint(operation, context: context, kinds: [.alertmanager])
        let silence = try AlertmanagerSilence(operation, context: context)
        return "\(endpoint.describe("POST", path: Self.silencesPath)): silence alerts matching \(silence.matcherText)"
            + " for \(DurationSyntax.format(silence.duration)), comment \(JSONValue.string(silence.comment).jsonText)"
            + "; rollback: \(endpoint.describe("DELETE", path: "/api/v2/silence/<id>"))"
    }

    /// Creates the silence; the outcome's undo is `{"silence_id": id}`.
    func silence(_ operation: FixOperationSpec, context: StepContext) throws -> OperationOutcome {
        let endpoint = try endpoint(operation, context: context, kinds: [.alertmanager])
        let silence = try AlertmanagerSilence(operation, context: context)
        let start = Date()
        let response = try endpoint.send("POST", path: Self.silencesPath, body: silence.body(startingAt: start),
                                         timeout: operation.timeout)
        var details: [String: JSONValue] = [
            "matchers": .object(silence.matchers.mapValues(JSONValue.string)), "status": .number(Double(response.status)),
            "starts_at": .string(AlertmanagerSilence.timestamp(start)),
            "ends_at": .string(AlertmanagerSilence.timestamp(silence.end(from: start))),
            "comment": .string(silence.comment),
        ]
        guard response.isSuccess, let id = AlertmanagerSilence.silenceID(in: response) else {
            details["body"] = .string(endpoint.bodyText(response, limit: Self.outputLimit))
            let summary = "alertmanager '\(endpoint.name)' did not create the silence: HTTP \(response.status) "
                + endpoint.bodyText(response, limit: 200)
            return OperationOutcome(succeeded: false, summary: summary, details: endpoint.redactor.redact(.object(details)))
        }
        details["silence_id"] = .string(id)
        let summary = "Silenced alerts matching \(silence.matcherText) for \(DurationSyntax.format(silence.duration))"
            + " on alertmanager '\(endpoint.name)' (silence \(id))"
        return OperationOutcome(succeeded: true, summary: endpoint.redactor.redact(summary),
                                details: endpoint.redactor.redact(.object(details)),
                                undo: .object(["silence_id": .string(id)]))
    }

    /// Expires the silence recorded in `undo` (`DELETE {url}/api/v2/silence/{id}`).
    func expireSilence(_ operation: FixOperationSpec, undo: JSONValue, context: StepContext) throws -> OperationOutcome {
        let endpoint = try endpoint(operation, context: context, kinds: [.alertmanager])
        let id = try AlertmanagerSilence.silenceID(fromUndo: undo)
        let response = try endpoint.send("DELETE", path: "/api/v2/silence/\(id)", timeout: operation.timeout)
        let details: JSONValue = .object([
            "silence_id": .string(id), "status": .number(Double(response.status)),
            "body": .string(endpoint.bodyText(response, limit: Self.outputLimit)),
        ])
        guard response.isSuccess else {
            return OperationOutcome(succeeded: false, summary: "alertmanager '\(endpoint.name)' did not expire silence \(id): "
                                    + "HTTP \(response.status) \(endpoint.bodyText(response, limit: 200))", details: details)
        }
        return OperationOutcome(succeeded: true, summary: "Expired silence \(id) on alertmanager '\(endpoint.name)'", details: details)
    }
}
