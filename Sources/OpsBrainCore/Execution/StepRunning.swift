import Foundation

/// What a step runner or operation driver may know about the execution it works for.
public struct StepContext: Sendable {
    public var executionID: UUID
    public var alert: AlertSnapshot
    /// The config's named targets.
    public var targets: [String: TargetDefinition]
    /// The declared instance this execution is for, when its SOP's targets are sets of instances.
    public var instance: String?
    /// Where `*_env` settings are read (the process environment in production).
    public var environment: [String: String]
    /// The fix attempt (1-based) this call belongs to.
    public var attempt: Int

    public init(executionID: UUID, alert: AlertSnapshot, targets: [String: TargetDefinition], instance: String? = nil,
                environment: [String: String], attempt: Int = 1) {
        self.executionID = executionID
        self.alert = alert
        self.targets = targets
        self.instance = instance
        self.environment = environment
        self.attempt = attempt
    }

    /// The target named `name` (for a set of instances, the concrete target of this execution's
    /// instance), or an error naming what is missing.
    public func target(_ name: String?, kinds: Set<TargetKind>) throws -> TargetDefinition {
        guard let name else { throw StepFailure("no target given") }
        guard let defined = targets[name] else { throw StepFailure("target '\(name)' is not defined in the config") }
        let target = try concrete(defined)
        guard kinds.contains(target.kind) else {
            throw StepFailure("target '\(name)' is a \(target.kind.rawValue) target; expected "
                              + kinds.map(\.rawValue).sorted().joined(separator: " or "))
        }
        return target
    }

    /// `target` itself, or the declared instance of it this execution is for.
    private func concrete(_ target: TargetDefinition) throws -> TargetDefinition {
        guard let instances = target.instances else { return target }
        guard let instance else {
            throw StepFailure("target '\(target.name)' is a set of instances picked by the alert label '\(instances.selectBy)', "
                              + "and this run is for none of them")
        }
        guard let chosen = target.instance(instance) else {
            throw StepFailure("instance '\(instance)' of target '\(target.name)' is not declared in opsbrain.yaml")
        }
        return chosen
    }
}

/// A step or operation could not do its work; the message names what and why.
public struct StepFailure: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What one diagnosis or verification step observed.
public struct StepResult: Sendable, Equatable {
    /// The values the step yields (see `StepType.yields`).
    public var values: [String: JSONValue]
    /// Set when the step could not run at all (unreachable target, timeout, missing target).
    public var error: String?
    public var durationMs: Int

    public init(values: [String: JSONValue] = [:], error: String? = nil, durationMs: Int = 0) {
        self.values = values
        self.error = error
        self.durationMs = durationMs
    }

    public static func failure(_ message: String, durationMs: Int = 0) -> StepResult {
        StepResult(error: message, durationMs: durationMs)
    }
}

/// Runs read-only checks of some step types. Implementations block, and must return within the
/// step's timeout (plus a small margin), never throw, and never put secrets into values.
public protocol StepRunner: Sendable {
    var stepTypes: Set<StepType> { get }
    func run(_ step: StepSpec, context: StepContext) -> StepResult
}

/// What a fix operation did.
public struct OperationOutcome: Sendable, Equatable {
    public var succeeded: Bool
    /// One line for people: "Moved 1,204 files older than 1d from /var/tmp/app to quarantine".
    public var summary: String
    /// What exactly was done (counts, keys, ids), for the audit trail. No secrets.
    public var details: JSONValue
    /// Everything `rollback` needs to undo it, or nil when it cannot be undone.
    public var undo: JSONValue?

    public init(succeeded: Bool, summary: String, details: JSONValue = .object([:]), undo: JSONValue? = nil) {
        self.succeeded = succeeded
        self.summary = summary
        self.details = details
        self.undo = undo
    }

    public static func failed(_ message: String) -> OperationOutcome {
        OperationOutcome(succeeded: false, summary: message)
    }
}

/// Carries out registered fix operations. Implementations block and honour the operation's timeout.
public protocol OperationDriver: Sendable {
    var operations: Set<OperationType> { get }
    /// Exactly what `execute` would do, without doing it (the dry-run text).
    func plan(_ operation: FixOperationSpec, context: StepContext) throws -> String
    func execute(_ operation: FixOperationSpec, context: StepContext) -> OperationOutcome
    /// Undoes an earlier `execute` from the `undo` value it returned.
    func rollback(_ operation: FixOperationSpec, undo: JSONValue, context: StepContext) -> OperationOutcome
}
