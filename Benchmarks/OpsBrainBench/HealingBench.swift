import Foundation
import OpsBrainPlatform
import OpsBrainPostgres
import OpsBrainSandbox
import OpsBrainTestSupport

/// Healing effectiveness: a profile's fault catalogue injected into its real services while the
/// real `opsbrain engine` (release build, auto mode, the profile's own opsbrain.yaml, the shipped
/// SOPs unedited) watches them; played twice on one store, so the second pass measures the steady
/// state the first pass's history earns. Reported as the seed's success metrics, per pass.
enum HealingBench {
    /// What the bench does, in order: inject some faults, then wait for some to finish.
    enum Step {
        case inject([String])
        case await([String])
    }

    /// The plan of a profile. Sandbox: quick faults together, the app-level ones one at a time (a
    /// crash would hide the others), the two idle-transaction faults (5 minutes to show) apart.
    /// Stock: the restarts first and one at a time, the file and cache faults together, the two
    /// session faults apart.
    static func plan(_ profile: SandboxProfile) -> [Step] {
        switch profile {
        case .sandbox:
            return [.inject(["human-transaction", "temp-flood", "log-flood", "cache-full"]),
                    .await(["temp-flood", "log-flood", "cache-full"]),
                    .inject(["app-crash"]), .await(["app-crash"]),
                    .inject(["token-expired"]), .await(["token-expired"]),
                    .inject(["poisoned-cache"]), .await(["poisoned-cache"]),
                    .await(["human-transaction"]),
                    .inject(["leaked-transactions"]), .await(["leaked-transactions"])]
        case .stock:
            return [.inject(["five-down"]), .await(["five-down"]),
                    .inject(["shop-killed"]), .await(["shop-killed"]),
                    .inject(["error-spike"]), .await(["error-spike"]),
                    .inject(["temp-flood", "log-growth", "cache-fill"]), .await(["temp-flood", "log-growth", "cache-fill"]),
                    .inject(["leaked-transactions"]), .await(["leaked-transactions"]),
                    .inject(["human-transaction"]), .await(["human-transaction"])]
        }
    }
    /// The longest a fault may take from injection to finished executions.
    static let faultTimeout: Double = 12 * 60

    /// Runs `profile`'s plan twice on one fresh store; the second pass starts `settleMinutes` after
    /// the first pass's last fix began, so no hourly cap or cooldown of the first pass (the shipped
    /// SOPs' longest is 60 minutes) decides the second: only its history does.
    static func run(report: BenchReport, binDirectory: String, profile: SandboxProfile, settleMinutes: Double) throws {
        let stack = profile.stack()
        if let running = stack.status().first(where: \.1) {
            throw BenchError("the \(profile.rawValue) profile's \(running.0) is running (is `make demo` open?): "
                             + "stop it first with opsbrain-sandbox down --profile \(profile.rawValue)")
        }
        try stack.down(purge: true)
        try stack.up(executable: binDirectory + "/opsbrain-sandbox")
        defer { try? stack.down(purge: false) }
        let url = try TestPostgres.freshDatabase(name: "heal_\(profile.rawValue)")
        let opsbrain = binDirectory + "/opsbrain"
        let sync = try ProcessRunner.run([opsbrain, "sop", "sync", "--config", stack.configFile, "--database-url", url], timeout: .seconds(120))
        guard sync.exitCode == 0 else { throw BenchError("sop sync failed: \(sync.stderr)") }
        let listen = profile == .sandbox ? ["--listen", "off"] : []
        let engine = try DetachedProcess.spawn([opsbrain, "engine", "--config", stack.configFile, "--database-url", url, "--no-sync"] + listen,
                                               log: stack.serviceLog("engine"), environment: try stack.engineEnvironment())
        defer { DetachedProcess.stop(pid: engine) }
        let traffic = SandboxTraffic(stack: stack)
        traffic.start()
        defer { traffic.stop() }
        Thread.sleep(forTimeInterval: 20)   // Prometheus needs a few scrapes of traffic before rates mean anything
        let connection = try PostgresConnection(conninfo: url, applicationName: "opsbrain-bench")
        defer { connection.close() }
        var player = Player(stack: stack, connection: connection, opsbrain: opsbrain, url: url)
        BenchReport.progress("healing, \(profile.rawValue) profile, first pass")
        let first = try player.play(plan(profile))
        try settle(connection, minutes: settleMinutes)
        BenchReport.progress("healing, \(profile.rawValue) profile, second pass")
        let second = try player.play(plan(profile))
        HealingReport(profile: profile, configFile: stack.configFile, first: first, second: second).add(to: report)
    }

    /// Waits until the last fix in the store began `minutes` ago.
    private static func settle(_ connection: PostgresConnection, minutes: Double) throws {
        let last = try connection.query("SELECT extract(epoch FROM max(fix_started_at)) AS at FROM self_healing_executions").rows.first?.double("at")
        guard let last else { return }
        let wait = last + minutes * 60 - Date().timeIntervalSince1970
        guard wait > 0 else { return }
        BenchReport.progress("  settling \(Int(wait / 60)) min: the first pass's hourly caps and cooldowns lapse")
        Thread.sleep(forTimeInterval: wait)
    }
}

/// Plays a plan against one stack and its engine's store, as the on-call engineer would.
private struct Player {
    let stack: any SandboxStack
    let connection: PostgresConnection
    let opsbrain: String
    let url: String
    /// Executions already counted for a fault, across passes.
    var taken: Set<String> = []

    /// Carries out the plan; returns one run per injected fault, in injection order.
    mutating func play(_ plan: [HealingBench.Step]) throws -> [FaultRun] {
        var runs: [String: FaultRun] = [:]
        var order: [String] = []
        for step in plan {
            switch step {
            case .inject(let names):
                for name in names {
                    let fault = try stack.faults.named(name)
                    let injectedAt = Date()
                    try fault.inject()
                    BenchReport.progress("  injected \(name)")
                    var run = FaultRun(fault: fault, injectedAt: injectedAt)
                    run.brokenAtInjection = !fault.isHealthy()
                    run.freeAtInjection = fault.freeBytes()
                    runs[name] = run
                    order.append(name)
                }
            case .await(let names):
                for name in names {
                    guard var run = runs[name] else { continue }
                    try follow(&run)
                    taken.formUnion(run.executions.map(\.id))
                    runs[name] = run
                    let seen = run.executions.map { "\($0.sop ?? "no SOP") \($0.decision) → \($0.status)" }.joined(separator: "; ")
                    BenchReport.progress("  \(name): \(seen.isEmpty ? "no execution" : seen), approved by the bench: \(run.approved.count), "
                                         + "healthy afterwards: \(run.healthyAfter)")
                }
            }
        }
        return order.compactMap { runs[$0] }
    }

    /// Waits for the fault's executions to finish, approving each as the on-call engineer would
    /// when it asks; then checks the stack itself and repairs by hand what is still broken.
    private func follow(_ run: inout FaultRun) throws {
        let deadline = run.injectedAt.addingTimeInterval(HealingBench.faultTimeout)
        while Date() < deadline {
            run.executions = try FaultRun.lookUp(run.fault, since: run.injectedAt, excluding: taken, in: connection)
            for execution in run.executions where execution.status == "awaiting_approval" && !run.approved.contains(execution.id) {
                let answer = try ProcessRunner.run([opsbrain, "approve", execution.id, "--database-url", url], timeout: .seconds(30))
                if answer.exitCode == 0 { run.approved.insert(execution.id) }
            }
            if run.isFinished { break }
            Thread.sleep(forTimeInterval: 1)
        }
        run.healthyAfter = run.fault.isHealthy()
        run.freeAfter = run.fault.freeBytes()
        if !run.healthyAfter { run.fault.repairByHand() }
    }
}
