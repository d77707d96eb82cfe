import Foundation
import OpsBrainCore
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// Pushover against a local server speaking its protocol: `{"status":1}`, 4xx never retried,
/// 5xx retried no sooner than 5 s, emergency priority with retry and expire.
final class PushoverChannelTests: XCTestCase {
    private var server: LocalHTTPServer!
    private let token = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
    private let user = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"

    override func setUpWithError() throws { server = try LocalHTTPServer() }
    override func tearDown() { server.stop() }

    private func channel(url: String? = nil) -> PushoverChannel {
        PushoverChannel(settings: .init(tokenEnv: "PO_TOKEN", userEnv: "PO_USER", url: url ?? server.baseURL + "/1/messages.json",
                                        emergencyRetrySeconds: 10, emergencyExpireSeconds: 99_999, timeout: .seconds(5)),
                        environment: ["PO_TOKEN": token, "PO_USER": user])
    }

    func testCriticalEscalationIsAnEmergencyWithRetryAndExpire() throws {
        server.respond(to: "/1/messages.json", method: "POST", with: .json(#"{"status":1,"request":"647d2300-702c-4b38-8b2f-d56326ae460b"}"#))
        let outcome = channel().deliver(NotifyFixtures.event(), plan: PlannedDelivery(channel: .pushover, action: .post, priority: 2))
        XCTAssertEqual(outcome.verdict, .delivered)
        XCTAssertEqual(outcome.detail, "request 647d2300-702c-4b38-8b2f-d56326ae460b")
        let request = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(request.headers["content-type"], "application/x-www-form-urlencoded")
        let form = NotifyFixtures.form(request.bodyText)
        XCTAssertEqual(form["token"], token)
        XCTAssertEqual(form["user"], user)
        XCTAssertEqual(form["priority"], "2")
        XCTAssertEqual(form["retry"], "30", "Pushover's minimum")
        XCTAssertEqual(form["expire"], "10800", "Pushover's maximum")
        XCTAssertEqual(form["title"], "Escalated: Database connection dropped")
        XCTAssertEqual(form["message"], "Fix did not work after 2 attempts\nAction: Check the database host\nSOP database-connection-dropped · execution 1b4e28ba")
    }

    func testLowerPrioritiesCarryNoRetryAndLongTextIsCut() throws {
        server.respond(to: "/1/messages.json", with: .json(#"{"status":1,"request":"r"}"#))
        let event = NotifyFixtures.event(severity: .high, summary: String(repeating: "x", count: 2000))
        _ = channel().deliver(event, plan: PlannedDelivery(channel: .pushover, action: .post, priority: 1))
        let form = NotifyFixtures.form(try XCTUnwrap(server.requests.first).bodyText)
        XCTAssertEqual(form["priority"], "1")
        XCTAssertNil(form["retry"])
        XCTAssertEqual(form["message"]?.count, 1024)
    }

    func testRefusalsAreNeverRetried() {
        server.respond(to: "/1/messages.json", with: .json(#"{"user":"invalid","errors":["user identifier is not a valid user, group, or subscribed user key"],"status":0,"request":"x"}"#, status: 400))
        let refused = channel().deliver(NotifyFixtures.event(), plan: PlannedDelivery(channel: .pushover, action: .post, priority: 2))
        XCTAssertEqual(refused, DeliveryOutcome(verdict: .failed, httpStatus: 400,
                                                detail: "user identifier is not a valid user, group, or subscribed user key"))
        server.respond(to: "/1/messages.json", with: .json(#"{"status":0,"errors":["application is over its monthly limit"]}"#, status: 429))
        XCTAssertEqual(channel().deliver(NotifyFixtures.event(), plan: PlannedDelivery(channel: .pushover, action: .post)).verdict, .failed)
    }

    func testServerErrorsWaitAtLeastFiveSeconds() {
        server.respond(to: "/1/messages.json", with: .init(status: 500, body: "<html>oops</html>"))
        XCTAssertEqual(channel().deliver(NotifyFixtures.event(), plan: PlannedDelivery(channel: .pushover, action: .post)).verdict,
                       .retry(after: .seconds(5)))
    }

    func testUnreachableServerIsRetriedAndTheMessageHoldsNoSecret() throws {
        let url = "http://127.0.0.1:\(try TestSockets.freePort())/1/messages.json"
        let outcome = channel(url: url).deliver(NotifyFixtures.event(), plan: PlannedDelivery(channel: .pushover, action: .post))
        XCTAssertEqual(outcome.verdict, .retry(after: .seconds(5)))
        XCTAssertFalse(outcome.detail.contains(token) || outcome.detail.contains(user), outcome.detail)
    }
}
