import Foundation
import OpsBrainCore
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// The claim protocol of docs/claims.md, driven by random schedules against a real database.
///
/// Three engines, each with its own connection, take random turns: claim a due run, work one step
/// of it (begin the step, then a fenced transition), put it down, lose track of it (a release lost
/// with the connection), give up its claims after a broken pass, or die and keep going as a zombie
/// whose heartbeat has expired. After every action the invariants are checked; at the end the live
/// engines drain the rest.
final class ClaimProtocolPropertyTests: XCTestCase {
    /// The statuses a model run goes through, one step each.
    private static let path: [ExecutionStatus] = [.pending, .diagnosing, .fixing, .verifying, .success]

    private struct Engine {
        let id: String
        let connection: PostgresConnection
        let repository: ExecutionRepository
        /// The runs this engine believes it holds (its workers' runs in flight).
        var holding: Set<UUID> = []
        var alive = true
    }

    private struct Model {
        var engines: [Engine]
        /// How many times the step leaving each (run, status) ran.
        var stepRuns: [String: Int] = [:]
        var random: SeededRandom
        var trace: [String] = []
    }

    func testRandomSchedulesKeepTheInvariants() throws {
        for seed in [1, 7, 42, 2026, 31337] as [UInt64] {
            try checkSchedule(seed: seed, actions: 250)
        }
    }

    private func checkSchedule(seed: UInt64, actions: Int) throws {
        let (admin, url) = try TestPostgres.migratedConnection()
        defer { admin.close() }
        var model = Model(engines: try (0..<3).map { index in
            let connection = try PostgresConnection(conninfo: url, applicationName: "model-engine-\(index)")
            var repository = ExecutionRepository(connection: connection)
            repository.claimHolder = "model-\(index)"
            try EngineRegistry(connection: connection).register(engineID: "model-\(index)", hostname: "test", pid: 0,
                                                                version: "test", mode: .auto)
            return Engine(id: "model-\(index)", connection: connection, repository: repository)
        }, random: SeededRandom(seed: seed))
        let runs = try (0..<12).map { _ in
            try admin.transaction { tx in
                try ExecutionRepository(connection: tx).openExecutionRow(alertID: nil, sop: nil, match: nil, mode: .auto, maxAttempts: 1,
                                                                         dryRun: false, in: tx)
            }
        }
        for turn in 0..<actions {
            let index = model.random.below(model.engines.count)
            // One engine at most dies per schedule, and never the last live one.
            let mayDie = model.engines.allSatisfy(\.alive)
            try act(&model, engine: index, mayDie: mayDie, admin: admin)
            if turn % 20 == 0 { try heartbeat(model, admin: admin) }
            try assertInvariants(model, runs: runs, admin: admin, seed: seed)
        }
        try drain(&model, runs: runs, admin: admin, seed: seed)
        for engine in model.engines { engine.connection.close() }
    }

    /// One random action of engine `index`.
    private func act(_ model: inout Model, engine index: Int, mayDie: Bool, admin: PostgresConnection) throws {
        var engine = model.engines[index]
        defer { model.engines[index] = engine }
        switch model.random.below(10) {
        case 0...3:
            if engine.alive || model.random.below(2) == 0 { try claim(&engine, &model) }
        case 4...6:
            if let run = engine.holding.randomElement(using: &model.random) { try work(&engine, run: run, &model) }
        case 7:
            if let run = engine.holding.randomElement(using: &model.random) {
                try engine.repository.releaseClaim(run, engineID: engine.id)
                engine.holding.remove(run)
                model.trace.append("\(engine.id) releases \(run.short)")
            }
        case 8:
            if let run = engine.holding.randomElement(using: &model.random) {
                engine.holding.remove(run)
                model.trace.append("\(engine.id) loses track of \(run.short) (a release lost with the connection)")
            }
        default:
            if mayDie, engine.alive, model.random.below(3) == 0 {
                engine.alive = false
                try admin.query("UPDATE opsbrain_engines SET heartbeat_at = now() - interval '1 minute' WHERE engine_id = $1", [engine.id])
                model.trace.append("\(engine.id) dies (its heartbeat expires) and goes on as a zombie")
            } else if engine.alive {
                try EngineRegistry(connection: engine.connection).releaseClaims(engineID: engine.id, keeping: engine.holding)
                model.trace.append("\(engine.id) gives up its claims after a broken pass, keeping \(engine.holding.count) in flight")
            }
        }
    }

    private func claim(_ engine: inout Engine, _ model: inout Model) throws {
        guard let record = try engine.repository.claimRunnable(engineID: engine.id, leaseSeconds: 60, excluding: engine.holding) else { return }
        XCTAssertFalse(engine.holding.contains(record.id), "\(engine.id) claimed \(record.id.short) for a second worker")
        engine.holding.insert(record.id)
        model.trace.append("\(engine.id) claims \(record.id.short) (\(record.state.status.rawValue))")
    }

    /// One step of the run: begin the step (at most once, ever), then move on, fenced by the claim.
    private func work(_ engine: inout Engine, run: UUID, _ model: inout Model) throws {
        guard let record = try engine.repository.load(run),
              let position = Self.path.firstIndex(of: record.state.status), position + 1 < Self.path.count else {
            engine.holding.remove(run)
            return
        }
        let from = record.state.status
        if try engine.repository.beginStep(run, phase: .fix, stepID: from.rawValue, attempt: 1) {
            model.stepRuns["\(run):\(from.rawValue)", default: 0] += 1
        }
        var next = record.state
        next.status = Self.path[position + 1]
        var patch = ExecutionPatch()
        patch.nextActionAt = next.status.isTerminal ? nil : Date()
        do {
            try engine.repository.transition(run, from: from, to: next, patch: patch,
                                             audit: AuditEntry(kind: "model", actor: engine.id, message: "\(from.rawValue) → \(next.status.rawValue)"))
            model.trace.append("\(engine.id) moves \(run.short) to \(next.status.rawValue)")
            let holder = try engine.connection.query("SELECT claimed_by FROM self_healing_executions WHERE id = $1::uuid", [run]).first?
                .string("claimed_by")
            XCTAssertEqual(holder, engine.id, "\(engine.id) moved \(run.short) while \(holder ?? "nobody") held it; \(model.trace.suffix(6))")
        } catch is TransitionConflict {
            engine.holding.remove(run)
            model.trace.append("\(engine.id) is fenced off \(run.short)")
        }
    }

    private func heartbeat(_ model: Model, admin: PostgresConnection) throws {
        for engine in model.engines where engine.alive {
            try EngineRegistry(connection: admin).heartbeat(engineID: engine.id, isLeader: false)
        }
    }

    private func assertInvariants(_ model: Model, runs: [UUID], admin: PostgresConnection, seed: UInt64) throws {
        let context = "seed \(seed), after: \(model.trace.suffix(8).joined(separator: "; "))"
        for run in runs {
            let believers = model.engines.filter { $0.alive && $0.holding.contains(run) }.map(\.id)
            XCTAssertLessThanOrEqual(believers.count, 1, "two live engines work on \(run.short): \(believers); \(context)")
            if let holder = believers.first {
                let claimed = try admin.query("SELECT claimed_by FROM self_healing_executions WHERE id = $1::uuid", [run]).first?.string("claimed_by")
                XCTAssertEqual(claimed, holder, "a live engine works on \(run.short) without holding its claim; \(context)")
            }
        }
        for (step, count) in model.stepRuns where count > 1 {
            XCTFail("step \(step) ran \(count) times; \(context)")
        }
        // Each move of a run was made by one engine: one audit row per status left.
        let moves = try admin.query("""
            SELECT execution_id, details->>'from' AS "from", count(*) AS n FROM self_healing_audit_log
            WHERE kind = 'model' GROUP BY 1, 2 HAVING count(*) > 1
            """)
        XCTAssertTrue(moves.rows.isEmpty, "a run moved twice from one status; \(context)")
    }

    /// The live engines finish every run within a bound: every run reaches a final state.
    private func drain(_ model: inout Model, runs: [UUID], admin: PostgresConnection, seed: UInt64) throws {
        try heartbeat(model, admin: admin)
        let live = model.engines.indices.filter { model.engines[$0].alive }
        for _ in 0..<(runs.count * Self.path.count * 4) {
            for index in live {
                var engine = model.engines[index]
                try claim(&engine, &model)
                for run in engine.holding { try work(&engine, run: run, &model) }
                model.engines[index] = engine
            }
            try assertInvariants(model, runs: runs, admin: admin, seed: seed)
            let open = try admin.query("SELECT count(*) AS n FROM self_healing_executions WHERE status <> 'success'").first?.int("n")
            if open == 0 { return }
        }
        // A dead engine's runs are taken by the living; whatever is left unfinished is a violation.
        let stuck = try admin.query("SELECT id, status, claimed_by FROM self_healing_executions WHERE status <> 'success'").rows
            .map { "\($0.string("status") ?? "?") claimed by \($0.string("claimed_by") ?? "nobody")" }
        XCTFail("runs never finished while engines \(live.map { model.engines[$0].id }) lived: \(stuck); seed \(seed)")
    }
}

private extension UUID {
    var short: String { String(uuidString.prefix(8)).lowercased() }
}
