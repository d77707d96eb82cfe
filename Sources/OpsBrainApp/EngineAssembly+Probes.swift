import OpsBrainCore
import OpsBrainEngine

extension EngineAssembly {
    /// The scheduler for the config's probes, running checks through every registered runner.
    /// Start it with the engine's leadership (`probes.start { engine.isLeader }`), stop it after the engine.
    public static func probeScheduler(config: OpsBrainConfig, settings: EngineSettings, conninfo: String) -> ProbeScheduler {
        ProbeScheduler(probes: config.probes, registry: registry(conninfo: conninfo), settings: settings, conninfo: conninfo)
    }
}
