import Foundation
import OpsBrainCore
import OpsBrainIntake
import OpsBrainPlatform
import OpsBrainTestSupport
@testable import OpsBrainSandbox
import XCTest

/// The sandbox's HTTP endpoints answer like the services they stand for, errors included.
final class SandboxEndpointTests: XCTestCase {
    private var layout: SandboxLayout!

    override func setUpWithError() throws {
        layout = SandboxLayout(root: try TemporaryDirectory.make(prefix: "ob-sandbox"))
        try FileManager.default.createDirectory(atPath: layout.serviceLogDirectory, withIntermediateDirectories: true)
        try "s3cret\n".write(toFile: layout.clientSecretFile, atomically: true, encoding: .utf8)
    }

    private func post(_ path: String, _ body: String) -> HTTPServerRequest {
        HTTPServerRequest(method: "POST", path: path, body: Array(body.utf8))
    }

    func testTheTokenEndpointSpeaksClientCredentials() throws {
        let app = try SandboxApp(layout: layout)
        let granted = app.route(post("/oauth/token", "grant_type=client_credentials&client_secret=s3cret"))
        XCTAssertEqual(granted.status, 200)
        let json = try JSONValue(parsing: String(decoding: granted.body, as: UTF8.self))
        XCTAssertNil(IntegrationToken.problem(with: json["access_token"]?.stringValue, secret: "s3cret"))
        XCTAssertEqual(json["expires_in"]?.doubleValue, Double(IntegrationToken.lifetime))
        let wrong = app.route(post("/oauth/token", "grant_type=client_credentials&client_secret=nope"))
        XCTAssertEqual(wrong.status, 401)
        XCTAssertTrue(String(decoding: wrong.body, as: UTF8.self).contains("invalid_client"))
        XCTAssertEqual(app.route(post("/oauth/token", "grant_type=password")).status, 400)
        XCTAssertEqual(app.route(HTTPServerRequest(method: "HEAD", path: "/oauth/token")).status, 405, "answers HEAD below 500")
    }

    func testTheInboxAcceptsEachServicesShapeAndRefusesBadOnes() throws {
        let inbox = NotificationInbox(layout: layout)
        let slack = inbox.handle(post("/slack/services/T/B/x", #"{"text":"Fixed: temp directory"}"#))
        XCTAssertEqual(slack.status, 200)
        XCTAssertEqual(String(decoding: slack.body, as: UTF8.self), "ok")
        XCTAssertEqual(String(decoding: inbox.handle(post("/slack/services/T/B/x", "{not json")).body, as: UTF8.self), "invalid_payload")
        XCTAssertEqual(inbox.handle(post("/slack/services/T/B/x", #"{"blocks":[]}"#)).status, 400)

        let pushover = inbox.handle(post("/pushover/1/messages.json", "token=a&user=u&message=Escalated&priority=1"))
        XCTAssertEqual(pushover.status, 200)
        let missingUser = inbox.handle(post("/pushover/1/messages.json", "token=a&message=x"))
        XCTAssertEqual(missingUser.status, 400)
        XCTAssertTrue(String(decoding: missingUser.body, as: UTF8.self).contains("user is missing"))

        let page = inbox.handle(post("/pagerduty/v2/enqueue", #"{"routing_key":"k","event_action":"trigger","dedup_key":"exec-1","payload":{"summary":"App down"}}"#))
        XCTAssertEqual(page.status, 202)
        XCTAssertTrue(String(decoding: page.body, as: UTF8.self).contains("exec-1"))
        XCTAssertEqual(inbox.handle(post("/pagerduty/v2/enqueue", #"{"routing_key":"k","event_action":"explode"}"#)).status, 400)

        let log = try String(contentsOfFile: inbox.logFile, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(log.count, 3, "only accepted messages are written: \(log)")
        XCTAssertTrue(log[0].hasSuffix("slack: Fixed: temp directory"))
        XCTAssertTrue(log[2].contains("pagerduty: trigger exec-1: App down"))
    }
}
