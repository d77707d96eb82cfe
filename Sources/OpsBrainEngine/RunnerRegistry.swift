import OpsBrainCore

/// The registered runners and drivers: a step or operation with no entry here cannot run.
public struct RunnerRegistry: Sendable {
    private let runners: [StepType: any StepRunner]
    private let drivers: [OperationType: any OperationDriver]

    public init(runners: [any StepRunner], drivers: [any OperationDriver]) {
        var byType: [StepType: any StepRunner] = [:]
        for runner in runners { for type in runner.stepTypes { byType[type] = runner } }
        var byOperation: [OperationType: any OperationDriver] = [:]
        for driver in drivers { for operation in driver.operations { byOperation[operation] = driver } }
        self.runners = byType
        self.drivers = byOperation
    }

    public func runner(for type: StepType) -> (any StepRunner)? { runners[type] }
    public func driver(for operation: OperationType) -> (any OperationDriver)? { drivers[operation] }

    /// Step and operation types nothing is registered for.
    public var missing: [String] {
        StepType.allCases.filter { runners[$0] == nil }.map(\.rawValue)
            + OperationType.allCases.filter { drivers[$0] == nil }.map(\.rawValue)
    }

    /// Runs `step`, or reports that no runner is registered for it. A step this deployment skips
    /// is not run: it reads as its SOP's `if_skipped` values, marked `skipped`.
    public func run(_ step: StepSpec, context: StepContext) -> StepResult {
        if step.skippedHere { return StepResult(values: (step.skipResult ?? [:]).merging(["skipped": .bool(true)]) { own, _ in own }) }
        guard let runner = runners[step.type] else { return .failure("no runner registered for step type \(step.type.rawValue)") }
        return runner.run(step, context: context)
    }
}
