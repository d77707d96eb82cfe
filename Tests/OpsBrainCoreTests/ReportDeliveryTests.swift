import Foundation
@testable import OpsBrainCore
import XCTest

/// Routing by SOP policy and outcome, each service's retry rules, and the retry schedule.
final class ReportDeliveryTests: XCTestCase {
    let all: Set<NotificationChannelKind> = [.slack, .pushover, .pagerduty]

    private func event(_ kind: NotificationEvent.Kind, _ severity: Severity = .high) -> NotificationEvent {
        NotificationEvent(kind: kind, executionID: UUID(), severity: severity, title: "t", summary: "s", occurredAt: Date())
    }

    private func plan(_ kind: NotificationEvent.Kind, _ severity: Severity = .high, pushover: NotificationPolicy.When = .escalation,
                      pagerduty: NotificationPolicy.When = .escalation, incidentOpen: Bool = false) -> [String] {
        NotificationRouting.plan(event(kind, severity), policy: NotificationPolicy(slackChannel: "#sop", pushover: pushover, pagerduty: pagerduty),
                                 configured: all, defaultSlackChannel: "#default", incidentOpen: incidentOpen)
            .map { "\($0.channel.rawValue):\($0.action.rawValue)" + ($0.priority.map { ":\($0)" } ?? "") }
    }

    func testPushoverOnlyForEscalationsWithPriorityBySeverity() {
        XCTAssertEqual(plan(.escalation, .critical), ["slack:post", "pushover:post:2", "pagerduty:trigger"])
        XCTAssertEqual(plan(.escalation, .medium, pagerduty: .never), ["slack:post", "pushover:post:0"])
        XCTAssertEqual(plan(.fixApplied), ["slack:post"])
        XCTAssertEqual(plan(.approvalNeeded), ["slack:post"])
        XCTAssertEqual(plan(.diagnosis, pushover: .always), ["slack:post", "pushover:post:0"], "always: every outcome, at most normal priority")
        XCTAssertEqual(plan(.escalation, pushover: .never, pagerduty: .never), ["slack:post"])
    }

    func testPagerDutyTriggersAndResolvesOnlyWhatItOpened() {
        XCTAssertEqual(plan(.approvalNeeded, pagerduty: .always), ["slack:post", "pagerduty:trigger"])
        XCTAssertEqual(plan(.resolved, incidentOpen: true), ["slack:post", "pagerduty:resolve"])
        XCTAssertEqual(plan(.resolved, incidentOpen: false), ["slack:post"])
        XCTAssertEqual(plan(.fixApplied, incidentOpen: true), ["slack:post", "pagerduty:resolve"])
    }

    func testSlackChannelFromTheSOPElseTheDefault() {
        let unconfigured = NotificationRouting.plan(event(.escalation), policy: NotificationPolicy(), configured: [.slack],
                                                    defaultSlackChannel: "#default", incidentOpen: false)
        XCTAssertEqual(unconfigured, [PlannedDelivery(channel: .slack, action: .post, destination: "#default")])
    }

    func testSlackRules() {
        XCTAssertEqual(ServiceResponseRules.slack(status: 200, body: "ok", retryAfter: nil).verdict, .delivered)
        XCTAssertEqual(ServiceResponseRules.slack(status: 429, body: "", retryAfter: "7").verdict, .retry(after: .seconds(7)))
        XCTAssertEqual(ServiceResponseRules.slack(status: 400, body: "invalid_payload", retryAfter: nil),
                       DeliveryOutcome(verdict: .failed, httpStatus: 400, detail: "invalid_payload"))
        XCTAssertEqual(ServiceResponseRules.slack(status: 404, body: "channel_not_found", retryAfter: nil).verdict, .failed)
        XCTAssertEqual(ServiceResponseRules.slack(status: 503, body: "", retryAfter: nil).verdict, .retry(after: nil))
    }

    func testPushoverRules() {
        XCTAssertEqual(ServiceResponseRules.pushover(status: 200, body: #"{"status":1,"request":"abc"}"#).verdict, .delivered)
        let refused = ServiceResponseRules.pushover(status: 400, body: #"{"user":"invalid","errors":["user identifier is invalid"],"status":0}"#)
        XCTAssertEqual(refused, DeliveryOutcome(verdict: .failed, httpStatus: 400, detail: "user identifier is invalid"))
        XCTAssertEqual(ServiceResponseRules.pushover(status: 429, body: "{}").verdict, .failed, "4xx, even 429, is never retried")
        XCTAssertEqual(ServiceResponseRules.pushover(status: 200, body: #"{"status":0,"errors":["x"]}"#).verdict, .failed)
        XCTAssertEqual(ServiceResponseRules.pushover(status: 500, body: "").verdict, .retry(after: .seconds(5)))
    }

    func testPagerDutyRules() {
        XCTAssertEqual(ServiceResponseRules.pagerDuty(status: 202, body: #"{"status":"success","dedup_key":"k"}"#, retryAfter: nil).verdict, .delivered)
        let invalid = ServiceResponseRules.pagerDuty(status: 400, body: #"{"status":"invalid event","message":"Event object is invalid","errors":["Length of 'routing_key' is incorrect"]}"#, retryAfter: nil)
        XCTAssertEqual(invalid.verdict, .failed)
        XCTAssertEqual(invalid.detail, "Event object is invalid: Length of 'routing_key' is incorrect")
        XCTAssertEqual(ServiceResponseRules.pagerDuty(status: 429, body: "", retryAfter: nil).verdict, .retry(after: nil))
        XCTAssertEqual(ServiceResponseRules.pagerDuty(status: 502, body: "", retryAfter: nil).verdict, .retry(after: nil))
        XCTAssertEqual(ServiceResponseRules.pagerDuty(status: 403, body: "", retryAfter: nil).verdict, .failed)
    }

    func testScheduleBacksOffHonoursServiceWaitsAndGivesUp() {
        let retry = DeliveryOutcome(verdict: .retry(after: nil), httpStatus: 503, detail: "down")
        XCTAssertEqual(DeliverySchedule.next(after: retry, attempt: 1, maxAttempts: 5, jitter: 1), .retry(after: .seconds(5)))
        XCTAssertEqual(DeliverySchedule.next(after: retry, attempt: 3, maxAttempts: 5, jitter: 1), .retry(after: .seconds(20)))
        XCTAssertEqual(DeliverySchedule.next(after: retry, attempt: 3, maxAttempts: 5, jitter: 0), .retry(after: .seconds(15)))
        XCTAssertEqual(DeliverySchedule.next(after: retry, attempt: 20, maxAttempts: 30, jitter: 1), .retry(after: .seconds(900)))
        XCTAssertEqual(DeliverySchedule.next(after: retry, attempt: 5, maxAttempts: 5, jitter: 1), .failed(reason: "gave up after 5 attempts: down"))
        let limited = DeliveryOutcome(verdict: .retry(after: .seconds(30)), httpStatus: 429, detail: "rate limited")
        XCTAssertEqual(DeliverySchedule.next(after: limited, attempt: 1, maxAttempts: 5, jitter: 0.5), .retry(after: .seconds(30)))
        XCTAssertEqual(ServiceResponseRules.seconds("1.5"), .milliseconds(1500))
        XCTAssertNil(ServiceResponseRules.seconds("Wed, 21 Oct 2015 07:28:00 GMT"))
    }
}
