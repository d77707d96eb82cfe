import OpsBrainCore
import XCTest

/// Probe state: Kubernetes probe thresholds, with counters reset whenever the outcome flips.
final class ProbeTrackerTests: XCTestCase {
    /// Feeds outcomes (`F` fail, `P` pass) and returns the actions, `-` for none.
    private func run(_ outcomes: String, failures: Int = 3, successes: Int = 1, raised: Bool = false) -> String {
        var tracker = ProbeTracker(failureThreshold: failures, successThreshold: successes, raised: raised)
        return outcomes.map { outcome -> String in
            switch tracker.observe(passed: outcome == "P") {
            case .raise: return "R"
            case .resolve: return "r"
            case nil: return "-"
            }
        }.joined()
    }

    func testRaisesAtTheFailureThresholdOnce() {
        XCTAssertEqual(run("FFFFFF"), "--R---")
    }

    func testResolvesAfterTheSuccessThreshold() {
        XCTAssertEqual(run("FFFPFFP"), "--Rr---")
    }

    func testAPassInBetweenResetsTheFailures() {
        XCTAssertEqual(run("FFPFFPFF"), "--------")
        XCTAssertEqual(run("FFPFFF"), "-----R")
    }

    func testAFailureInBetweenResetsTheSuccesses() {
        XCTAssertEqual(run("FFFPFPPP", successes: 2), "--R---r-")
    }

    func testPassesWhileNotRaisedDoNothing() {
        XCTAssertEqual(run("PPPP"), "----")
    }

    func testANewLeaderStartsRaisedFromTheFiringAlert() {
        XCTAssertEqual(run("P", raised: true), "r")
        XCTAssertEqual(run("FFFF", raised: true), "----")
    }

    func testThresholdsOfOneActOnEveryFlip() {
        XCTAssertEqual(run("FPFPP", failures: 1, successes: 1), "RrRr-")
    }

    func testCountersAreVisible() {
        var tracker = ProbeTracker(failureThreshold: 3, successThreshold: 2)
        _ = tracker.observe(passed: false)
        _ = tracker.observe(passed: false)
        XCTAssertEqual(tracker.consecutiveFailures, 2)
        _ = tracker.observe(passed: true)
        XCTAssertEqual(tracker.consecutiveFailures, 0)
        XCTAssertEqual(tracker.consecutiveSuccesses, 1)
        XCTAssertFalse(tracker.raised)
    }

    func testObservingLeavesTheTrackerUnchanged() {
        let tracker = ProbeTracker(failureThreshold: 1, successThreshold: 1)
        let (next, action) = tracker.observing(passed: false)
        XCTAssertEqual(action, .raise)
        XCTAssertTrue(next.raised)
        XCTAssertFalse(tracker.raised)
    }
}
