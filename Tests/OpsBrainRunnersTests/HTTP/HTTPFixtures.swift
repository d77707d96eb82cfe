import Foundation
import OpsBrainCore

/// Targets, contexts and specs for the HTTP runner tests.
enum HTTPFixtures {
    /// A secret that tests put in a header from `headers_env`; it must never show up in results.
    static let secret = "Bearer s3cret-token-value"
    static let secretVariable = "OB_TEST_HTTP_TOKEN"

    /// A context with `targets` (by name) and the test secret in the environment.
    static func context(_ targets: [TargetDefinition], labels: [String: String] = [:]) -> StepContext {
        StepContext(executionID: UUID(), alert: AlertSnapshot(alertType: "test_alert", title: "Test alert", labels: labels),
                    targets: Dictionary(uniqueKeysWithValues: targets.map { ($0.name, $0) }),
                    environment: [secretVariable: secret])
    }

    /// An http-like target at `url`, sending the secret as `Authorization` when `withSecret`.
    static func target(_ name: String, _ kind: TargetKind = .http, url: String, withSecret: Bool = false) -> TargetDefinition {
        var fields: [String: JSONValue] = ["url": .string(url)]
        if withSecret { fields["headers_env"] = .object(["Authorization": .string(secretVariable)]) }
        return TargetDefinition(name: name, kind: kind, fields: fields)
    }

    /// A step of `type` on `target` with extra parameters.
    static func step(_ type: StepType, target: String?, timeout: Duration = .seconds(5),
                     _ parameters: [String: JSONValue] = [:]) -> StepSpec {
        var all = parameters
        if let target { all["target"] = .string(target) }
        return StepSpec(id: "check", name: "check", type: type, timeout: timeout, parameters: all)
    }

    /// A fix operation of `type` on `target` with extra parameters.
    static func operation(_ type: OperationType, target: String, timeout: Duration = .seconds(5),
                          _ parameters: [String: JSONValue] = [:]) -> FixOperationSpec {
        var all = parameters
        all["target"] = .string(target)
        return FixOperationSpec(id: "fix", name: "fix", operation: type, timeout: timeout, parameters: all)
    }

    /// Everything a result or outcome exposes, as one text to search for leaks.
    static func exposed(_ result: StepResult) -> String {
        JSONValue.object(result.values).jsonText + (result.error ?? "")
    }

    static func exposed(_ outcome: OperationOutcome) -> String {
        outcome.summary + outcome.details.jsonText + (outcome.undo?.jsonText ?? "")
    }
}
