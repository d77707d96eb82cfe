import Foundation
import OpsBrainCore
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// PagerDuty Events v2 against a local server speaking its protocol: 202 accepted, 400 invalid
/// event, 429 and 5xx retried; trigger and resolve share one dedup key per execution.
final class PagerDutyChannelTests: XCTestCase {
    private var server: LocalHTTPServer!
    private let routingKey = "R0UT1NGKEY0000000000000000000000"

    override func setUpWithError() throws { server = try LocalHTTPServer() }
    override func tearDown() { server.stop() }

    private var channel: PagerDutyChannel {
        PagerDutyChannel(settings: .init(routingKeyEnv: "PD_KEY", url: server.baseURL + "/v2/enqueue", source: "ops-host-1"),
                         environment: ["PD_KEY": routingKey])
    }

    private let accepted = LocalHTTPServer.Response.json(#"{"status":"success","message":"Event processed","dedup_key":"k"}"#, status: 202)

    func testTriggerThenResolveWithTheSameDedupKey() throws {
        server.respond(to: "/v2/enqueue", method: "POST", with: accepted)
        XCTAssertEqual(channel.deliver(NotifyFixtures.event(), plan: PlannedDelivery(channel: .pagerduty, action: .trigger)).verdict, .delivered)
        XCTAssertEqual(channel.deliver(NotifyFixtures.event(.resolved), plan: PlannedDelivery(channel: .pagerduty, action: .resolve)).verdict,
                       .delivered)
        let bodies = try server.requests.map { try JSONValue(parsing: $0.bodyText) }
        XCTAssertEqual(bodies.count, 2)
        let trigger = bodies[0], resolve = bodies[1]
        XCTAssertEqual(trigger["event_action"], .string("trigger"))
        XCTAssertEqual(trigger["routing_key"], .string(routingKey))
        XCTAssertEqual(trigger["dedup_key"], .string("opsbrain-1b4e28ba-2fa1-11d2-883f-0016d3cca427"))
        XCTAssertEqual(trigger["payload"]?["severity"], .string("critical"))
        XCTAssertEqual(trigger["payload"]?["source"], .string("ops-host-1"))
        XCTAssertEqual(trigger["payload"]?["component"], .string("database-connection-dropped"))
        XCTAssertEqual(trigger["payload"]?["summary"], .string("Escalated: Database connection dropped"))
        XCTAssertEqual(trigger["payload"]?["custom_details"]?["action_needed"], .string("Check the database host"))
        XCTAssertEqual(resolve["event_action"], .string("resolve"))
        XCTAssertEqual(resolve["dedup_key"], trigger["dedup_key"])
        XCTAssertNil(resolve["payload"])
    }

    func testInvalidEventIsNotRetried() {
        server.respond(to: "/v2/enqueue", with: .json(#"{"status":"invalid event","message":"Event object is invalid","errors":["'payload.severity' is invalid"]}"#, status: 400))
        let outcome = channel.deliver(NotifyFixtures.event(), plan: PlannedDelivery(channel: .pagerduty, action: .trigger))
        XCTAssertEqual(outcome, DeliveryOutcome(verdict: .failed, httpStatus: 400, detail: "Event object is invalid: 'payload.severity' is invalid"))
    }

    func testARefusedKeyEchoedBackIsNotInTheDetail() {
        server.respond(to: "/v2/enqueue", with: .json(#"{"message":"Invalid routing key","errors":["R0UT1NGKEY00000 is not known"]}"#, status: 400))
        let outcome = channel.deliver(NotifyFixtures.event(), plan: PlannedDelivery(channel: .pagerduty, action: .trigger))
        XCTAssertEqual(outcome.detail, "Invalid routing key: *** is not known")
    }

    func testThrottlingAndServerErrorsAreRetried() {
        server.respond(to: "/v2/enqueue", with: .init(status: 429, body: "", headers: ["Retry-After": "12"]))
        XCTAssertEqual(channel.deliver(NotifyFixtures.event(), plan: PlannedDelivery(channel: .pagerduty, action: .trigger)).verdict,
                       .retry(after: .seconds(12)))
        server.respond(to: "/v2/enqueue", with: .init(status: 502, body: "bad gateway"))
        XCTAssertEqual(channel.deliver(NotifyFixtures.event(), plan: PlannedDelivery(channel: .pagerduty, action: .trigger)).verdict,
                       .retry(after: nil))
    }

    func testTruncatedAnswerStillCountsByStatus() {
        server.respond(to: "/v2/enqueue", with: .json(#"{"status":"succ"#, status: 202))
        XCTAssertEqual(channel.deliver(NotifyFixtures.event(), plan: PlannedDelivery(channel: .pagerduty, action: .trigger)).verdict, .delivered,
                       "202 means accepted whatever the body")
    }
}
