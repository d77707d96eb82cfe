import Foundation
@testable import OpsBrainCore
import XCTest

/// The weekly learning analysis and the report schedule.
final class ReportLearningTests: XCTestCase {
    private func run(_ n: Int, sop: String = "pool-reset", version: Int = 1, effective: Bool, failedStep: String? = nil,
                     reason: String? = nil, signals: [String] = []) -> ExecutionFact {
        ExecutionFact(id: ReportFixtures.id(n), status: effective ? .success : .escalated, sopName: sop, sopVersion: version, title: "t",
                      startedAt: Date(timeIntervalSince1970: Double(n) * 3600), attempts: 1, wasEffective: effective,
                      escalationReason: reason, failedFixSteps: failedStep.map { [$0: "timed out after 30s"] } ?? [:],
                      diagnosisSignals: signals)
    }

    func testFailingStepRepeatedReasonAndPrecursorAreFound() {
        let runs = [
            run(1, effective: false, failedStep: "reset_pool", reason: "fix did not verify after 2 attempt(s)", signals: ["db_tcp=passed", "replica_lag=failed"]),
            run(2, effective: false, failedStep: "reset_pool", reason: "fix did not verify after 3 attempt(s)", signals: ["db_tcp=passed", "replica_lag=failed"]),
            run(3, effective: true, signals: ["db_tcp=passed", "replica_lag=passed"]),
            run(4, effective: true, signals: ["db_tcp=passed", "replica_lag=passed"]),
            run(5, effective: true, signals: ["db_tcp=passed"]),
        ]
        let suggestions = SOPLearning.analyze(runs)
        XCTAssertEqual(suggestions.map(\.kind), [.failingStep, .repeatedFailure, .precursor])
        XCTAssertEqual(suggestions[0].title, "Fix step 'reset_pool' failed in 2 of 5 runs")
        XCTAssertEqual(suggestions[1].subject, "fix did not verify after N attempt(s)")
        XCTAssertEqual(suggestions[2].title, "Diagnosis 'replica_lag=failed' preceded 2 of 2 failures")
        XCTAssertEqual(suggestions[2].sopVersion, 1)
        XCTAssertEqual(Set(suggestions.map(\.key)).count, 3)
    }

    func testVersionRegressionAndLowSuccess() {
        let runs = (1...4).map { run($0, version: 1, effective: true) }
            + (5...8).map { run($0, version: 2, effective: $0 == 5) }
        let kinds = SOPLearning.analyze(runs).map(\.kind)
        XCTAssertTrue(kinds.contains(.versionRegression), "\(kinds)")
        XCTAssertFalse(kinds.contains(.lowSuccess), "5 of 8 runs worked")
        let bad = SOPLearning.analyze((1...4).map { run($0, sop: "flaky", effective: $0 == 1) })
        XCTAssertEqual(bad.map(\.kind), [.lowSuccess])
        XCTAssertEqual(bad.first?.title, "Fixes worked in only 25% of 4 runs")
    }

    func testHealthyOrUnjudgedRunsSuggestNothing() {
        XCTAssertEqual(SOPLearning.analyze((1...6).map { run($0, effective: true) }), [])
        var unjudged = run(1, effective: false, failedStep: "x")
        unjudged.wasEffective = nil
        XCTAssertEqual(SOPLearning.analyze([unjudged, unjudged]), [])
    }

    func testDailyReportIsDueAfterTheLocalTimeAndCoversTheDayBefore() throws {
        let schedule = ReportSchedule(settings: ReportSettings(dailyHour: 7, dailyMinute: 0), timeZone: ReportFixtures.zone)
        XCTAssertNil(schedule.dailyReport(at: ReportFixtures.end.addingTimeInterval(-60)), "06:59 Berlin")
        let due = try XCTUnwrap(schedule.dailyReport(at: ReportFixtures.end.addingTimeInterval(3 * 3600)))
        XCTAssertEqual(due.date, "2026-11-27")
        XCTAssertEqual(due.end, ReportFixtures.end)
        XCTAssertEqual(due.start, ReportFixtures.start)
    }

    func testLearningRunsFromTheConfiguredWeekdayForTheRestOfTheWeek() {
        // 2026-11-27 is a Friday.
        let friday = ReportSchedule(settings: ReportSettings(learningWeekday: 5), timeZone: ReportFixtures.zone)
        XCTAssertNil(friday.learningPeriod(at: ReportFixtures.end.addingTimeInterval(-60)))
        XCTAssertEqual(friday.learningPeriod(at: ReportFixtures.end.addingTimeInterval(60)), "2026-W48")
        let monday = ReportSchedule(settings: ReportSettings(learningWeekday: 1), timeZone: ReportFixtures.zone)
        XCTAssertEqual(monday.learningPeriod(at: ReportFixtures.end), "2026-W48")
        let sunday = ReportSchedule(settings: ReportSettings(learningWeekday: 7), timeZone: ReportFixtures.zone)
        XCTAssertNil(sunday.learningPeriod(at: ReportFixtures.end))
    }
}
