import Foundation
import OpsBrainCore
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// One engine runs executions side by side on its workers, and two runs never fix one target at once.
final class ExecutionWorkersTests: XCTestCase {
    /// A marker check on `name`, and the SOP text that fixes it with `fixTarget`; `slowDiagnosis`
    /// puts a wait step of that many seconds before the check.
    private func markerSOP(_ name: String, fixTarget: String, slowDiagnosis: Int? = nil) -> String {
        let check = """
              - id: marker
                type: file_stat
                target: markers
                pattern: \(name)
                expect: {file_count: 0}
            """
        let wait = slowDiagnosis.map { """
              - id: slow
                type: wait
                duration: \($0)s
                timeout: \($0 + 5)s

            """ } ?? ""
        return EnginePipelineTests.sop(name: name, type: name.replacingOccurrences(of: "-", with: "_"),
                                       diagnosis: "diagnosis:\n" + wait + check, fix: """
            fix:
              - id: clean
                operation: job_restart
                when: "marker.failed"
                target: \(fixTarget)
                timeout: 30s
            """, verification: "  steps:\n" + check.replacingOccurrences(of: "- id: marker", with: "- id: marker_gone"))
    }

    /// Markers for each name in a fresh folder, with a fast remover per name and one slow shared cleaner.
    private func harness(_ sops: [String: String], names: [String], workers: Int = 8) throws -> EngineHarness {
        let folder = try TemporaryDirectory.make(prefix: "ob-workers")
        for name in names { FileManager.default.createFile(atPath: folder + "/" + name, contents: Data("x".utf8)) }
        let removers = names.map { "  remove_\($0.replacingOccurrences(of: "-", with: "_")): {type: command, argv: [rm, -f, \"\(folder)/\($0)\"]}" }
        return try EngineHarness(sops: sops, configYAML: { url in
            "engine:\n  concurrency: \(workers)\n" + EnginePipelineTests.config(url, extra: """
                  markers: {type: path, path: "\(folder)"}
                  slow_cleaner: {type: command, argv: [sh, -c, "sleep 2; rm -f \(names.map { folder + "/" + $0 }.joined(separator: " "))"]}
                \(removers.joined(separator: "\n"))
                """)
        }, resolveWait: .seconds(20))
    }

    func testAQuickRunFinishesWhileAnotherWaitsInItsDiagnosis() throws {
        let harness = try harness(["data/slow-one": markerSOP("slow-one", fixTarget: "remove_slow_one", slowDiagnosis: 3),
                                        "data/quick-one": markerSOP("quick-one", fixTarget: "remove_quick_one")],
                                       names: ["slow-one", "quick-one"])
        let slow = try harness.fire(type: "slow_one", title: "slow marker present")
        let quick = try harness.fire(type: "quick_one", title: "quick marker present")
        let quickDone = try harness.runUntil(alert: quick, ["success", "escalated", "failed"])
        let slowDone = try harness.runUntil(alert: slow, ["success", "escalated", "failed"])
        XCTAssertEqual(quickDone.summary.status, "success", "\(quickDone.audit.map(\.message))")
        XCTAssertEqual(slowDone.summary.status, "success", "\(slowDone.audit.map(\.message))")
        let waitEnded = try XCTUnwrap(slowDone.steps.first { $0.stepID == "slow" }?.finishedAt)
        let quickFixed = try XCTUnwrap(quickDone.steps.first { $0.phase == .fix }?.finishedAt)
        XCTAssertLessThan(quickFixed, waitEnded,
                          "seen: one thread per engine, so a wait step stalled every other incident on that engine")
    }

    func testAWaitStepGivesItsWorkerBack() throws {
        let harness = try harness(["data/slow-one": markerSOP("slow-one", fixTarget: "remove_slow_one", slowDiagnosis: 3),
                                   "data/quick-one": markerSOP("quick-one", fixTarget: "remove_quick_one")],
                                  names: ["slow-one", "quick-one"], workers: 1)
        let slow = try harness.fire(type: "slow_one", title: "slow marker present")
        let quick = try harness.fire(type: "quick_one", title: "quick marker present")
        let quickDone = try harness.runUntil(alert: quick, ["success", "escalated", "failed"])
        let slowDone = try harness.runUntil(alert: slow, ["success", "escalated", "failed"])
        XCTAssertEqual(slowDone.summary.status, "success", "\(slowDone.audit.map(\.message))")
        let wait = try XCTUnwrap(slowDone.steps.first { $0.stepID == "slow" })
        let waitEnded = try XCTUnwrap(wait.finishedAt)
        XCTAssertGreaterThanOrEqual(waitEnded.timeIntervalSince(wait.startedAt), 2.5, "the wait lasted its duration")
        let quickFixed = try XCTUnwrap(quickDone.steps.first { $0.phase == .fix }?.finishedAt)
        XCTAssertLessThan(quickFixed, waitEnded, "with one worker, the quick run was fixed while the other waited")
        let checks = slowDone.steps.filter { $0.phase == .diagnosis }
        XCTAssertEqual(checks.map(\.stepID), ["slow", "marker"], "the round went on after the wait, each step once")
        XCTAssertEqual(Set(checks.map(\.run)).count, 1, "one round")
    }

    func testTwoRunsNeverFixTheSameTargetAtOnce() throws {
        let harness = try harness(["data/lock-a": markerSOP("lock-a", fixTarget: "slow_cleaner"),
                                        "data/lock-b": markerSOP("lock-b", fixTarget: "slow_cleaner")],
                                       names: ["lock-a", "lock-b"])
        let first = try harness.fire(type: "lock_a", title: "marker a present")
        let second = try harness.fire(type: "lock_b", title: "marker b present")
        let runs = try [first, second].map { try harness.runUntil(alert: $0, ["success", "escalated", "failed"]) }
        let fixes = try runs.map { run in try XCTUnwrap(run.steps.first { $0.phase == .fix }, "\(run.audit.map(\.message))") }
        XCTAssertEqual(fixes.count, 2, "both runs fixed")
        let (earlier, later) = fixes[0].startedAt <= fixes[1].startedAt ? (fixes[0], fixes[1]) : (fixes[1], fixes[0])
        let earlierEnd = try XCTUnwrap(earlier.finishedAt)
        XCTAssertGreaterThanOrEqual(later.startedAt, earlierEnd, "the second fix of slow_cleaner started while the first still ran")
    }
}
