import Foundation
import OpsBrainCore
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// Slack incoming webhooks against a local server speaking Slack's protocol: `ok`, 429 with
/// Retry-After, plain-text errors, 5xx, slow answers.
final class SlackWebhookChannelTests: XCTestCase {
    private var server: LocalHTTPServer!
    private let path = "/services/\(NotifyFixtures.webhookSecret)"

    override func setUpWithError() throws { server = try LocalHTTPServer() }
    override func tearDown() { server.stop() }

    private func channel(timeout: Duration = .seconds(5), channels: [String: String] = [:],
                         environment extra: [String: String] = [:]) -> SlackWebhookChannel {
        SlackWebhookChannel(settings: .init(webhookURLEnv: "SLACK_WEBHOOK_URL", channel: "#ops-alerts", channelWebhookEnvs: channels,
                                            timeout: timeout),
                            environment: ["SLACK_WEBHOOK_URL": server.baseURL + path].merging(extra) { $1 })
    }

    private let plan = PlannedDelivery(channel: .slack, action: .post, destination: "#ops-alerts")

    func testPostsBlockKitAndReadsOk() throws {
        server.respond(to: path, method: "POST", with: .init(body: "ok"))
        let outcome = channel().deliver(NotifyFixtures.event(), plan: plan)
        XCTAssertEqual(outcome, DeliveryOutcome(verdict: .delivered, httpStatus: 200, detail: "ok"))
        let request = try XCTUnwrap(server.requests(to: path).first)
        XCTAssertEqual(request.headers["content-type"], "application/json")
        let body = try JSONValue(parsing: request.bodyText)
        XCTAssertEqual(body["channel"], .string("#ops-alerts"))
        XCTAssertEqual(body["blocks"]?.arrayValue?.first?["type"], .string("header"))
        XCTAssertTrue(body["text"]?.stringValue?.contains("Escalated: Database connection dropped") == true)
        XCTAssertTrue(request.bodyText.contains("*Action needed:* Check the database host"))
    }

    func testRateLimitIsRetriedAfterTheServersWait() {
        server.respond(to: path, with: .init(status: 429, body: "rate_limited", headers: ["Retry-After": "30"]))
        let outcome = channel().deliver(NotifyFixtures.event(), plan: plan)
        XCTAssertEqual(outcome.verdict, .retry(after: .seconds(30)))
        XCTAssertEqual(outcome.httpStatus, 429)
    }

    func testPayloadErrorsAreNotRetried() {
        server.respond(to: path, with: .init(status: 400, body: "invalid_payload"))
        XCTAssertEqual(channel().deliver(NotifyFixtures.event(), plan: plan),
                       DeliveryOutcome(verdict: .failed, httpStatus: 400, detail: "invalid_payload"))
        server.respond(to: path, with: .init(status: 404, body: "channel_not_found"))
        XCTAssertEqual(channel().deliver(NotifyFixtures.event(), plan: plan).detail, "channel_not_found")
    }

    func testServerErrorIsRetried() {
        server.respond(to: path, with: .init(status: 503, body: "down"))
        XCTAssertEqual(channel().deliver(NotifyFixtures.event(), plan: plan).verdict, .retry(after: nil))
    }

    func testSlowAnswerTimesOutAndIsRetriedWithoutShowingTheWebhook() {
        server.respond(to: path, with: .init(body: "ok", delay: .seconds(3)))
        let started = ContinuousClock.now
        let outcome = channel(timeout: .milliseconds(400)).deliver(NotifyFixtures.event(), plan: plan)
        XCTAssertLessThan(started.duration(to: .now), .seconds(2))
        XCTAssertEqual(outcome.verdict, .retry(after: nil))
        XCTAssertNil(outcome.httpStatus)
        XCTAssertTrue(outcome.detail.hasPrefix("Slack webhook: "), outcome.detail)
        XCTAssertFalse(outcome.detail.contains(NotifyFixtures.webhookSecret), outcome.detail)
        XCTAssertFalse(outcome.detail.contains("B00000000"), outcome.detail)
    }

    func testAChannelsOwnWebhookIsUsedWithoutNamingTheChannel() throws {
        server.respond(to: "/db-hook", with: .init(body: "ok"))
        let slack = channel(channels: ["#db": "SLACK_DB_WEBHOOK"], environment: ["SLACK_DB_WEBHOOK": server.baseURL + "/db-hook"])
        let outcome = slack.deliver(NotifyFixtures.event(), plan: PlannedDelivery(channel: .slack, action: .post, destination: "#db"))
        XCTAssertEqual(outcome.verdict, .delivered)
        let body = try JSONValue(parsing: try XCTUnwrap(server.requests(to: "/db-hook").first).bodyText)
        XCTAssertNil(body["channel"])
        XCTAssertTrue(server.requests(to: path).isEmpty)
    }

    func testMissingWebhookVariableFailsWithoutARequest() {
        let slack = SlackWebhookChannel(settings: .init(webhookURLEnv: "NOT_SET_ANYWHERE"), environment: [:])
        XCTAssertEqual(slack.deliver(NotifyFixtures.event(), plan: plan),
                       DeliveryOutcome(verdict: .failed, httpStatus: nil, detail: "Slack webhook: NOT_SET_ANYWHERE is not set"))
        XCTAssertTrue(server.requests.isEmpty)
    }
}
