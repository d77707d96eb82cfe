import Foundation
import OpsBrainCore
import OpsBrainPlatform

/// `wait` steps: pause for the step's duration, never past its timeout.
public struct WaitStepRunner: StepRunner {
    public var stepTypes: Set<StepType> { [.wait] }

    public init() {}

    public func run(_ step: StepSpec, context: StepContext) -> StepResult {
        let pause = Self.pause(of: step)
        Thread.sleep(forTimeInterval: Double(pause.milliseconds) / 1000)
        return StepResult(values: [:], durationMs: Int(pause.milliseconds))
    }

    /// How long `step` waits: its duration, never past its timeout.
    static func pause(of step: StepSpec) -> Duration {
        min(step.parameters["duration"]?.stringValue.flatMap(DurationSyntax.parse) ?? .zero, step.timeout)
    }
}

/// `rerun_alert_check`: whether the alert's own check passes again, judged by its stored status.
///
/// Intake and probes resolve alerts when their check passes; a resolved alert is the evidence.
/// An alert raised by a probe (label `probe`) is judged by running that probe's check now.
public struct AlertCheckRunner: StepRunner {
    public var stepTypes: Set<StepType> { [.rerunAlertCheck] }
    /// Reads the alert's current status (the engine passes a database lookup).
    let currentStatus: @Sendable (UUID) -> String?
    /// Runs a probe's check now (`ProbeScheduler.rerun`); nil when there is no such probe.
    let rerunProbe: @Sendable (String) -> Bool?

    public init(currentStatus: @escaping @Sendable (UUID) -> String?,
                rerunProbe: @escaping @Sendable (String) -> Bool? = { _ in nil }) {
        self.currentStatus = currentStatus
        self.rerunProbe = rerunProbe
    }

    public func run(_ step: StepSpec, context: StepContext) -> StepResult {
        guard let status = currentStatus(context.alert.id) else { return .failure("alert \(context.alert.id) not found") }
        // Probe alerts: the probe's own check, run now, is the evidence.
        if let probe = context.alert.labels["probe"], let passed = rerunProbe(probe) {
            return StepResult(values: ["ok": .bool(passed), "status": .string(status), "probe": .string(probe)])
        }
        return StepResult(values: ["ok": .bool(status == "resolved"), "status": .string(status)])
    }
}

/// `notify` and `escalate` operations: recorded for the audit trail and the notifiers.
public struct CommunicationDriver: OperationDriver {
    public var operations: Set<OperationType> { [.notify, .escalate] }

    public init() {}

    public func plan(_ operation: FixOperationSpec, context: StepContext) throws -> String {
        operation.operation == .notify
            ? "notify \((operation.parameters["channels"]?.arrayValue?.compactMap(\.stringValue) ?? ["slack"]).joined(separator: ", ")): \(operation.parameters["message"]?.stringValue ?? "")"
            : "escalate: \(operation.parameters["reason"]?.stringValue ?? operation.name)"
    }

    public func execute(_ operation: FixOperationSpec, context: StepContext) -> OperationOutcome {
        let text = (try? plan(operation, context: context)) ?? operation.name
        var details: [String: JSONValue] = ["kind": .string(operation.operation.rawValue)]
        for key in ["message", "reason", "action", "channels"] { details[key] = operation.parameters[key] }
        return OperationOutcome(succeeded: true, summary: text, details: .object(details))
    }

    public func rollback(_ operation: FixOperationSpec, undo: JSONValue, context: StepContext) -> OperationOutcome {
        OperationOutcome(succeeded: true, summary: "nothing to undo for \(operation.operation.rawValue)")
    }
}
