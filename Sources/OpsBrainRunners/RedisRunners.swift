import OpsBrainCore

/// The TCP and Redis step runners and the Redis operation driver, for the engine's registry.
public enum RedisRunners {
    /// `tcp` and `redis` steps.
    public static func stepRunners() -> [any StepRunner] {
        [TCPStepRunner(), RedisStepRunner()]
    }

    /// `cache_clear`, `rate_limit_reset` and `feature_flag`.
    public static func operationDrivers() -> [any OperationDriver] {
        [RedisOperationDriver()]
    }

    /// Runs `body`, prefixing any failure with the target's name so messages say where it happened.
    static func onTarget<T>(_ target: TargetDefinition, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as StepFailure {
            throw StepFailure("target '\(target.name)': \(failure.message)")
        }
    }
}
