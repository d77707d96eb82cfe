import OpsBrainCore

/// The runners and drivers this module provides, for the engine's registry.
public enum Runners {
    /// Every step runner implemented here.
    public static func stepRunners() -> [any StepRunner] {
        []
    }

    /// Every operation driver implemented here.
    public static func operationDrivers() -> [any OperationDriver] {
        []
    }
}
