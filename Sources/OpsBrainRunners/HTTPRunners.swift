import OpsBrainCore

/// The HTTP family's runners and drivers (libcurl): `http`, `metric` and `tls_expiry` checks;
/// `http_call`, `connection_refresh` and `alertmanager_silence` operations.
public enum HTTPRunners {
    /// The step runner for `http`, `metric` and `tls_expiry`.
    public static func stepRunners() -> [any StepRunner] {
        [HTTPStepRunner()]
    }

    /// The driver for `http_call`, `connection_refresh` and `alertmanager_silence`.
    public static func operationDrivers() -> [any OperationDriver] {
        [HTTPOperationDriver()]
    }
}
