import Foundation
import OpsBrainPlatform
import OpsBrainPostgres
import OpsBrainSandbox
import OpsBrainTestSupport

/// Healing effectiveness: the sandbox's fault catalogue injected into real local services while
/// the real `opsbrain engine` (release build, auto mode, sandbox/opsbrain.yaml) watches them;
/// reported as the seed's success metrics.
enum HealingBench {
    /// What the bench does, in order: inject some faults, then wait for some to finish.
    enum Step {
        case inject([String])
        case await([String])
    }

    /// The plan: quick faults together, the app-level ones one at a time (a crash would hide the
    /// others), and the two idle-transaction faults (5 minutes to show) apart from each other.
    static let plan: [Step] = [
        .inject(["human-transaction", "temp-flood", "log-flood", "cache-full"]),
        .await(["temp-flood", "log-flood", "cache-full"]),
        .inject(["app-crash"]), .await(["app-crash"]),
        .inject(["token-expired"]), .await(["token-expired"]),
        .inject(["poisoned-cache"]), .await(["poisoned-cache"]),
        .await(["human-transaction"]),
        .inject(["leaked-transactions"]), .await(["leaked-transactions"]),
    ]
    /// The longest a fault may take from injection to a finished execution.
    static let faultTimeout: Double = 12 * 60

    static func run(report: BenchReport, binDirectory: String) throws {
        let layout = SandboxLayout()
        let services = SandboxServices(layout: layout)
        if let running = services.status().first(where: \.1) {
            throw BenchError("the sandbox's \(running.0) is running (is `make demo` open?): stop it first with opsbrain-sandbox down")
        }
        try services.down(purge: true)
        try services.up(executable: binDirectory + "/opsbrain-sandbox")
        defer { try? services.down(purge: false) }
        let url = try TestPostgres.freshDatabase(name: "heal")
        let opsbrain = binDirectory + "/opsbrain"
        let sync = try ProcessRunner.run([opsbrain, "sop", "sync", "--config", "sandbox/opsbrain.yaml", "--database-url", url],
                                         timeout: .seconds(120))
        guard sync.exitCode == 0 else { throw BenchError("sop sync failed: \(sync.stderr)") }
        let engine = try startEngine(opsbrain, url: url, environment: try services.engineEnvironment(), log: layout.serviceLog("engine"))
        defer { DetachedProcess.stop(pid: engine) }
        let traffic = SandboxTraffic(layout: layout)
        traffic.start()
        defer { traffic.stop() }
        Thread.sleep(forTimeInterval: 20)   // Prometheus needs a few scrapes of traffic before rates mean anything
        let connection = try PostgresConnection(conninfo: url, applicationName: "opsbrain-bench")
        defer { connection.close() }
        let runs = try play(plan, layout: layout, connection: connection, opsbrain: opsbrain, url: url)
        let executions = try connection.query("SELECT count(*) AS n FROM self_healing_executions").rows.first?.int("n") ?? 0
        HealingReport(runs: runs, allExecutions: executions).add(to: report)
    }

    /// The engine as its own process (the release binary, as deployed), logging to `log`, with
    /// `environment` (the sandbox's secrets and inbox) on top of the base environment.
    private static func startEngine(_ opsbrain: String, url: String, environment: [String: String], log: String) throws -> pid_t {
        try DetachedProcess.spawn([opsbrain, "engine", "--config", "sandbox/opsbrain.yaml", "--database-url", url, "--no-sync", "--listen", "off"],
                                  log: log, environment: environment)
    }

    /// Carries out the plan; returns one run per injected fault, in injection order.
    private static func play(_ plan: [Step], layout: SandboxLayout, connection: PostgresConnection,
                             opsbrain: String, url: String) throws -> [FaultRun] {
        var runs: [String: FaultRun] = [:]
        var order: [String] = []
        for step in plan {
            switch step {
            case .inject(let names):
                for name in names {
                    let fault = try FaultCatalogue.named(name)
                    let injectedAt = Date()
                    try fault.inject(into: layout)
                    BenchReport.progress("  injected \(name)")
                    var run = FaultRun(fault: fault, injectedAt: injectedAt)
                    run.brokenAtInjection = !fault.isHealthy(layout)
                    runs[name] = run
                    order.append(name)
                }
            case .await(let names):
                for name in names {
                    guard var run = runs[name] else { continue }
                    let taken = Set(runs.values.compactMap { $0.execution?.id })
                    try follow(&run, taken: taken, layout: layout, connection: connection, opsbrain: opsbrain, url: url)
                    runs[name] = run
                    BenchReport.progress("  \(name): \(run.execution.map { "\($0.sop ?? "no SOP") \($0.decision) → \($0.status)" } ?? "no execution")"
                          + (run.approvedByBench ? " (approved by the bench)" : "") + ", healthy afterwards: \(run.healthyAfter)")
                }
            }
        }
        return order.compactMap { runs[$0] }
    }

    /// Waits for the fault's execution to finish, approving it as the on-call engineer would when it
    /// asks; then checks the service itself and repairs by hand what was rightly left to a human.
    private static func follow(_ run: inout FaultRun, taken: Set<String>, layout: SandboxLayout, connection: PostgresConnection,
                               opsbrain: String, url: String) throws {
        let deadline = run.injectedAt.addingTimeInterval(faultTimeout)
        while Date() < deadline {
            run.execution = try FaultRun.lookUp(run.fault, since: run.injectedAt, excluding: taken, in: connection)
            if let execution = run.execution, execution.status == "awaiting_approval", !run.approvedByBench {
                let answer = try ProcessRunner.run([opsbrain, "approve", execution.id, "--database-url", url], timeout: .seconds(30))
                run.approvedByBench = answer.exitCode == 0
            }
            if run.execution?.isFinished == true { break }
            Thread.sleep(forTimeInterval: 1)
        }
        run.healthyAfter = run.fault.isHealthy(layout)
        if !run.healthyAfter { run.fault.repairByHand(layout) }
    }
}
