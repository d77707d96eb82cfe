import Foundation
import OpsBrainCore
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// `alertmanager_silence` and its rollback against a real Alertmanager started by the test.
final class AlertmanagerSilenceTests: XCTestCase {
    private var alertmanager: AlertmanagerProcess?
    private var baseURL = ""
    private let driver = HTTPOperationDriver()
    private let client = HTTPClient()

    override func setUpWithError() throws {
        let process = try AlertmanagerProcess()
        alertmanager = process
        baseURL = process.baseURL
    }

    override func tearDown() {
        alertmanager?.stop()
    }

    private var target: TargetDefinition {
        HTTPFixtures.target("alertmanager", .alertmanager, url: baseURL, withSecret: true)
    }

    private func silenceOperation(_ parameters: [String: JSONValue]) -> FixOperationSpec {
        HTTPFixtures.operation(.alertmanagerSilence, target: "alertmanager", parameters)
    }

    /// The silence with `id` as `GET /api/v2/silences` lists it.
    private func listedSilence(_ id: String) throws -> JSONValue? {
        let response = try client.send(HTTPRequest(url: baseURL + "/api/v2/silences"))
        XCTAssertEqual(response.status, 200)
        let silences = try JSONValue(parsing: response.bodyText(limit: HTTPClient.responseLimit)).arrayValue ?? []
        return silences.first { $0["id"]?.stringValue == id }
    }

    func testSilenceIsActiveAndExpiresOnRollback() throws {
        let operation = silenceOperation([
            "duration": .string("1h"), "comment": .string("disk cleanup in progress"),
            "matchers": .object(["alertname": .string("DiskFull"), "instance": .string("db1")]),
        ])
        let context = HTTPFixtures.context([target])
        let outcome = driver.execute(operation, context: context)
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertFalse(HTTPFixtures.exposed(outcome).contains("s3cret"))
        let id = try XCTUnwrap(outcome.undo?["silence_id"]?.stringValue)
        XCTAssertEqual(outcome.undo, .object(["silence_id": .string(id)]))

        let active = try XCTUnwrap(try listedSilence(id))
        XCTAssertEqual(active["status"]?["state"], JSONValue.string("active"))
        XCTAssertEqual(active["createdBy"], JSONValue.string("opsbrain"))
        XCTAssertEqual(active["comment"], JSONValue.string("disk cleanup in progress"))
        let matchers = try XCTUnwrap(active["matchers"]?.arrayValue)
        XCTAssertEqual(Set(matchers.compactMap { $0["name"]?.stringValue }), ["alertname", "instance"])
        XCTAssertTrue(matchers.allSatisfy { $0["isRegex"] == .bool(false) && $0["isEqual"] == .bool(true) })

        let rolledBack = driver.rollback(operation, undo: try XCTUnwrap(outcome.undo), context: context)
        XCTAssertTrue(rolledBack.succeeded, rolledBack.summary)
        XCTAssertEqual(try listedSilence(id)?["status"]?["state"], JSONValue.string("expired"))
    }

    func testMatchersDefaultToTheAlertLabels() throws {
        let context = HTTPFixtures.context([target], labels: ["alertname": "QueueBacklog", "queue": "sms"])
        let outcome = driver.execute(silenceOperation(["duration": .string("30m")]), context: context)
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        let id = try XCTUnwrap(outcome.undo?["silence_id"]?.stringValue)
        let silence = try XCTUnwrap(try listedSilence(id))
        let pairs = (silence["matchers"]?.arrayValue ?? []).compactMap { matcher -> (String, String)? in
            guard let name = matcher["name"]?.stringValue, let value = matcher["value"]?.stringValue else { return nil }
            return (name, value)
        }
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: pairs), ["alertname": "QueueBacklog", "queue": "sms"])
        XCTAssertTrue(silence["comment"]?.stringValue?.contains("Test alert") ?? false)
    }

    func testNoMatchersAndNoLabelsFailsWithoutASilence() throws {
        let outcome = driver.execute(silenceOperation(["duration": .string("1h")]), context: HTTPFixtures.context([target]))
        XCTAssertFalse(outcome.succeeded)
        XCTAssertTrue(outcome.summary.contains("no matchers"), outcome.summary)
        let response = try client.send(HTTPRequest(url: baseURL + "/api/v2/silences"))
        XCTAssertEqual(try JSONValue(parsing: response.bodyText(limit: 1000)), .array([]))
    }

    func testRollbackOfAnUnknownSilenceFails() {
        let undo: JSONValue = .object(["silence_id": .string("00000000-0000-0000-0000-000000000000")])
        let outcome = driver.rollback(silenceOperation(["duration": .string("1h")]), undo: undo, context: HTTPFixtures.context([target]))
        XCTAssertFalse(outcome.succeeded)
        XCTAssertTrue(outcome.summary.contains("silence not found"), outcome.summary)
    }

    func testRollbackRefusesAnIDThatIsNotAPlainID() {
        let undo: JSONValue = .object(["silence_id": .string("../status")])
        let outcome = driver.rollback(silenceOperation(["duration": .string("1h")]), undo: undo, context: HTTPFixtures.context([target]))
        XCTAssertFalse(outcome.succeeded)
        XCTAssertTrue(outcome.summary.contains("no valid silence_id"), outcome.summary)
    }

    func testPlanDescribesTheSilenceWithoutSecrets() throws {
        let operation = silenceOperation(["duration": .string("2h"), "matchers": .object(["alertname": .string("DiskFull")]),
                                          "comment": .string("cleanup")])
        let plan = try driver.plan(operation, context: HTTPFixtures.context([target]))
        XCTAssertEqual(plan, "POST \(baseURL)/api/v2/silences (headers: Authorization: ***): silence alerts matching "
                       + "{alertname=\"DiskFull\"} for 2h, comment \"cleanup\"; rollback: DELETE \(baseURL)/api/v2/silence/<id>"
                       + " (headers: Authorization: ***)")
        XCTAssertNil(try listedSilence("none"))
    }

    func testUnreachableAlertmanagerFails() throws {
        let gone = HTTPFixtures.target("alertmanager", .alertmanager, url: "http://127.0.0.1:\(try TestSockets.freePort())")
        let outcome = driver.execute(silenceOperation(["duration": .string("1h"), "matchers": .object(["a": .string("b")])]),
                                     context: HTTPFixtures.context([gone]))
        XCTAssertFalse(outcome.succeeded)
        XCTAssertTrue(outcome.summary.contains("alertmanager") && outcome.summary.contains("/api/v2/silences"), outcome.summary)
        XCTAssertNil(outcome.undo)
    }
}
