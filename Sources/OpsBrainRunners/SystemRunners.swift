import OpsBrainCore

/// The runners and drivers for the local system: commands, files and services.
public enum SystemRunners {
    /// `command`, `disk_usage` and `file_stat` steps.
    public static func stepRunners() -> [any StepRunner] {
        [CommandStepRunner(), FileStepRunner()]
    }

    /// `temp_cleanup` (quarantining into `quarantine`), `log_rotation`, `service_restart` and `job_restart` operations.
    public static func operationDrivers(quarantine: TempQuarantine = TempQuarantine()) -> [any OperationDriver] {
        [FileOperationDriver(quarantine: quarantine), ServiceOperationDriver()]
    }
}
