import Foundation
import Logging
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPlatform
import OpsBrainPostgres

/// The leader's preflight at start: once this engine leads, every set-up SOP's diagnosis runs once
/// and the findings are stored (for `/metrics` and the console) and logged; the pipeline does not wait.
struct PreflightJob {
    let engine: HealingEngine
    let registry: RunnerRegistry
    let conninfo: String
    private let logger = Logger(label: "opsbrain.preflight")

    init(engine: HealingEngine, registry: RunnerRegistry, conninfo: String) {
        self.engine = engine
        self.registry = registry
        self.conninfo = conninfo
    }

    /// Waits for leadership (or the stop), runs the preflight once, and returns.
    func run(until stop: StopSignal) {
        while !engine.isLeader {
            if stop.wait(.seconds(1)) { return }
        }
        do {
            let connection = try PostgresConnection(conninfo: conninfo, applicationName: "opsbrain-preflight")
            defer { connection.close() }
            let catalog = try SOPCatalog.load(connection, settings: engine.settings)
            let report = SOPPreflight.run(catalog.entries.values.map(\.document), settings: engine.settings, registry: registry)
            try PreflightRepository(connection: connection).replace(with: report.findings, engineID: engine.settings.engineID)
            for finding in report.findings { logger.warning("\(finding)") }
            logger.notice("preflight done", metadata: ["sops": "\(report.sopsChecked)", "steps": "\(report.stepsRun)",
                                                      "problems": "\(report.findings.count)"])
        } catch {
            logger.error("preflight failed", metadata: ["error": "\(error)"])
        }
    }
}
