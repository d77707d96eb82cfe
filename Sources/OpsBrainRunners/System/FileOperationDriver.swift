import OpsBrainCore

/// Carries out the file fix operations on path targets: `temp_cleanup` (old files moved into a
/// quarantine folder) and `log_rotation` (the log renamed, recreated and compressed). Both can be
/// rolled back from the undo value they return.
public struct FileOperationDriver: OperationDriver {
    /// Where temp_cleanup quarantines files, and for how long.
    public let quarantine: TempQuarantine

    public init(quarantine: TempQuarantine = TempQuarantine()) { self.quarantine = quarantine }

    public var operations: Set<OperationType> { [.tempCleanup, .logRotation] }

    /// The exact file changes `execute` would make.
    public func plan(_ operation: FixOperationSpec, context: StepContext) throws -> String {
        switch try prepare(operation, context: context) {
        case .tempCleanup(let cleanup): return cleanup.plan
        case .logRotation(let rotation): return rotation.plan
        }
    }

    /// Moves old temp files into quarantine, or rotates the log.
    public func execute(_ operation: FixOperationSpec, context: StepContext) -> OperationOutcome {
        do {
            switch try prepare(operation, context: context) {
            case .tempCleanup(let cleanup): return try cleanup.execute()
            case .logRotation(let rotation): return try rotation.execute()
            }
        } catch {
            return .failed("\(operation.operation.rawValue) '\(operation.id)': \(error)")
        }
    }

    /// Moves quarantined files back, or puts a rotated log back.
    public func rollback(_ operation: FixOperationSpec, undo: JSONValue, context: StepContext) -> OperationOutcome {
        do {
            switch try prepare(operation, context: context) {
            case .tempCleanup(let cleanup): return try cleanup.rollback(undo: undo)
            case .logRotation(let rotation): return try rotation.rollback(undo: undo)
            }
        } catch {
            return .failed("rollback of \(operation.operation.rawValue) '\(operation.id)': \(error)")
        }
    }

    /// One file operation with its settings read and checked.
    private enum Prepared {
        case tempCleanup(TempCleanupOperation)
        case logRotation(LogRotationOperation)
    }

    private func prepare(_ operation: FixOperationSpec, context: StepContext) throws -> Prepared {
        let target = try context.target(operation.target, kinds: [.path])
        switch operation.operation {
        case .tempCleanup:
            return .tempCleanup(try TempCleanupOperation(operation: operation, target: target, context: context, quarantine: quarantine))
        case .logRotation:
            return .logRotation(try LogRotationOperation(operation: operation, target: target))
        default:
            throw StepFailure("\(operation.operation.rawValue) is not a file operation")
        }
    }

    /// The target's `path`, which must be absolute; a trailing slash is dropped.
    static func absolutePath(of target: TargetDefinition) throws -> String {
        guard var path = target.string("path"), path.hasPrefix("/") else {
            throw StepFailure("target '\(target.name)' needs an absolute 'path'")
        }
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// A duration parameter written as text (`30s`, `1d`) or as a number of seconds.
    static func duration(_ value: JSONValue?, name: String) throws -> Duration? {
        guard let value else { return nil }
        if let text = value.stringValue {
            guard let parsed = DurationSyntax.parse(text) else { throw StepFailure("\(name) '\(text)' is not a duration") }
            return parsed
        }
        guard let seconds = value.doubleValue, seconds >= 0 else { throw StepFailure("\(name) must be a duration") }
        return .milliseconds(Int64(seconds * 1000))
    }
}
