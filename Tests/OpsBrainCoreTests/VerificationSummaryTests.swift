import Foundation
import OpsBrainCore
import XCTest

/// The alert's part of a verification, and how a verification reads on the outcome card.
final class VerificationSummaryTests: XCTestCase {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func judge(source: String, status: AlertReading? = .firing, probe: String? = nil, probePassed: Bool? = nil,
                       required: Bool = true, hard: Bool = false, late: Bool = false) -> AlertEvidence {
        AlertEvidence.judge(source: source, reading: status, probe: probe, probePassed: probePassed, required: required, hard: hard,
                            now: now, deadline: now.addingTimeInterval(late ? -1 : 60), bound: .seconds(600))
    }

    func testResolvingSourcesMustResolveWithinTheBound() {
        for source in ["alertmanager", "grafana", "probe"] {
            XCTAssertNil(judge(source: source).passes, "\(source): still waiting")
            XCTAssertEqual(judge(source: source, late: true).passes, false, source)
            XCTAssertEqual(judge(source: source, status: .resolved, late: true).passes, true, source)
        }
        XCTAssertEqual(judge(source: "alertmanager", late: true).note, "alertmanager did not resolve the alert within 10m")
    }

    func testAProbeThatPassesAgainNeedsNoResolve() {
        XCTAssertEqual(judge(source: "probe", probe: "api", probePassed: true), .ownCheckPassed(probe: "api"))
        XCTAssertEqual(judge(source: "probe", probe: "api", probePassed: false, late: true).note,
                       "the alert's own check still fails (probe api) within 10m")
    }

    func testSourcesThatNeverResolveNeedTheResolveOnlyWhenVerifyingHard() {
        XCTAssertEqual(judge(source: "webhook"), .notReported(source: "webhook"))
        XCTAssertNil(judge(source: "webhook", hard: true).passes)
        XCTAssertEqual(judge(source: "webhook", hard: true, late: true).passes, false,
                       "seen: verify-hard passed with 'the alert is still open (its source has not re-checked yet)'")
        XCTAssertEqual(judge(source: "alertmanager", required: false), .notRequired)
        XCTAssertEqual(judge(source: "alertmanager", status: nil), .noAlert)
    }

    func testAnAlertResolvedByHandNeverLetsAFixPass() {
        let hand = AlertReading.resolvedByHand(by: "ana", reason: "restarted it myself")
        for source in ["alertmanager", "probe", "webhook", "sql"] {
            for (required, hard) in [(true, false), (true, true), (false, false)] {
                let evidence = judge(source: source, status: hand, probe: "api", probePassed: true, required: required, hard: hard)
                XCTAssertEqual(evidence, .resolvedByHand(by: "ana", reason: "restarted it myself"), "\(source) required \(required) hard \(hard)")
                XCTAssertEqual(evidence.passes, false)
                XCTAssertFalse(evidence.saysResolved)
            }
        }
        XCTAssertEqual(judge(source: "alertmanager", status: hand).note,
                       "ana resolved the alert by hand (restarted it myself); its source never confirmed the fix")
        XCTAssertEqual(VerificationSummary.failures([], alertCheck: judge(source: "webhook", status: hand)),
                       "ana resolved the alert by hand (restarted it myself); its source never confirmed the fix")
    }

    func testAFailedVerificationNeverReadsAsResolved() {
        let stored: JSONValue = .object([
            "attempt": .number(1), "passed": .bool(false), "alert_check": .string("the alert has resolved (alertmanager)"),
            "alert_check_failed": .bool(false),
            "steps": .object(["web_up": .object(["verdict": .string("failed")]), "db": .object(["verdict": .string("passed")])]),
        ])
        let text = VerificationSummary.text(stored, status: .escalated)
        XCTAssertEqual(text, "no (attempt 1): check web_up did not pass",
                       "seen: an escalated run's card read 'the alert has resolved' next to ESCALATED")
        let passed: JSONValue = .object(["attempt": .number(2), "passed": .bool(true), "alert_check": .string("the alert has resolved (grafana)")])
        XCTAssertEqual(VerificationSummary.text(passed, status: .success), "yes (attempt 2): the alert has resolved (grafana)")
        XCTAssertEqual(VerificationSummary.text(nil, status: .verifying), "in progress")
    }
}
