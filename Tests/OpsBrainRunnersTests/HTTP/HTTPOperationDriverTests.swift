import Foundation
import OpsBrainCore
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// `http_call` and `connection_refresh` against a real local HTTP server and real commands.
final class HTTPOperationDriverTests: XCTestCase {
    private var server: LocalHTTPServer!
    private let driver = HTTPOperationDriver()

    override func setUpWithError() throws {
        server = try LocalHTTPServer()
    }

    override func tearDown() {
        server.stop()
    }

    private var adminAPI: TargetDefinition {
        HTTPFixtures.target("admin_api", url: server.baseURL + "/admin", withSecret: true)
    }

    private var rotateWithUndo: FixOperationSpec {
        HTTPFixtures.operation(.httpCall, target: "admin_api", [
            "method": .string("POST"), "path": .string("/sender/rotate"), "body": .object(["pool": .string("sms")]),
            "undo": .object(["method": .string("POST"), "path": .string("/sender/restore"),
                             "body": .object(["pool": .string("sms")])]),
        ])
    }

    func testHTTPCallSucceedsOn2xxAndKeepsItsUndo() throws {
        server.respond(to: "/admin/sender/rotate", method: "POST", with: .json(#"{"rotated":true}"#))
        let context = HTTPFixtures.context([adminAPI])
        let outcome = driver.execute(rotateWithUndo, context: context)
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertEqual(outcome.details["status"], JSONValue.number(200))
        XCTAssertEqual(outcome.details["body"], JSONValue.string(#"{"rotated":true}"#))
        XCTAssertEqual(outcome.undo, rotateWithUndo.parameters["undo"])
        let sent = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(sent.bodyText, #"{"pool":"sms"}"#)
        XCTAssertEqual(sent.headers["authorization"], HTTPFixtures.secret)
        XCTAssertFalse(HTTPFixtures.exposed(outcome).contains("s3cret"))
    }

    func testRollbackSendsTheUndoRequest() throws {
        server.respond(to: "/admin/sender/rotate", with: .init(status: 200))
        server.respond(to: "/admin/sender/restore", with: .init(status: 202, body: "restored"))
        let context = HTTPFixtures.context([adminAPI])
        let undo = try XCTUnwrap(driver.execute(rotateWithUndo, context: context).undo)
        let rolledBack = driver.rollback(rotateWithUndo, undo: undo, context: context)
        XCTAssertTrue(rolledBack.succeeded, rolledBack.summary)
        XCTAssertEqual(server.requests.map(\.path), ["/admin/sender/rotate", "/admin/sender/restore"])
        XCTAssertEqual(server.requests.last?.bodyText, #"{"pool":"sms"}"#)
        XCTAssertEqual(server.requests.last?.headers["authorization"], HTTPFixtures.secret)
    }

    func testFailedRollbackIsReported() {
        server.respond(to: "/admin/sender/restore", with: .init(status: 409, body: "conflict"))
        let undo: JSONValue = .object(["method": .string("POST"), "path": .string("/sender/restore")])
        let outcome = driver.rollback(rotateWithUndo, undo: undo, context: HTTPFixtures.context([adminAPI]))
        XCTAssertFalse(outcome.succeeded)
        XCTAssertTrue(outcome.summary.contains("409"), outcome.summary)
    }

    func testNon2xxFailsAndHasNothingToUndo() {
        server.respond(to: "/admin/sender/rotate", with: .init(status: 503, body: "try later"))
        let outcome = driver.execute(rotateWithUndo, context: HTTPFixtures.context([adminAPI]))
        XCTAssertFalse(outcome.succeeded)
        XCTAssertTrue(outcome.summary.contains("503"), outcome.summary)
        XCTAssertNil(outcome.undo)
    }

    func testCallWithoutUndoCannotBeRolledBack() {
        server.respond(to: "/admin/cache", with: .init(status: 204))
        let operation = HTTPFixtures.operation(.httpCall, target: "admin_api", ["method": .string("DELETE"), "path": .string("/cache")])
        let outcome = driver.execute(operation, context: HTTPFixtures.context([adminAPI]))
        XCTAssertTrue(outcome.succeeded)
        XCTAssertNil(outcome.undo)
        XCTAssertEqual(server.requests.first?.method, "DELETE")
    }

    func testUnreachableTargetFailsNamingIt() throws {
        let target = HTTPFixtures.target("admin_api", url: "http://127.0.0.1:\(try TestSockets.freePort())")
        let outcome = driver.execute(rotateWithUndo, context: HTTPFixtures.context([target]))
        XCTAssertFalse(outcome.succeeded)
        XCTAssertTrue(outcome.summary.contains("admin_api") && outcome.summary.contains("/sender/rotate"), outcome.summary)
        XCTAssertNil(outcome.undo)
    }

    func testSlowEndpointFailsAtTheOperationTimeout() {
        server.respond(to: "/admin/sender/rotate", with: .init(delay: .seconds(5)))
        var operation = rotateWithUndo
        operation.timeout = .milliseconds(300)
        let start = ContinuousClock.now
        let outcome = driver.execute(operation, context: HTTPFixtures.context([adminAPI]))
        XCTAssertFalse(outcome.succeeded)
        XCTAssertTrue(outcome.summary.contains("timed out"), outcome.summary)
        XCTAssertLessThan(start.duration(to: .now), .seconds(3))
    }

    func testPlanNamesTheRequestsAndMasksSecrets() throws {
        let plan = try driver.plan(rotateWithUndo, context: HTTPFixtures.context([adminAPI]))
        XCTAssertEqual(plan, "POST \(server.baseURL)/admin/sender/rotate (headers: Authorization: ***) with body {\"pool\":\"sms\"}"
                       + "; undo: POST \(server.baseURL)/admin/sender/restore (headers: Authorization: ***) with body {\"pool\":\"sms\"}")
        XCTAssertTrue(server.requests.isEmpty)
    }

    func testPlanRejectsAMissingTarget() {
        XCTAssertThrowsError(try driver.plan(rotateWithUndo, context: HTTPFixtures.context([]))) { error in
            XCTAssertEqual("\(error)", "target 'admin_api' is not defined in the config")
        }
    }

    func testBadUndoIsRejectedBeforeAnythingIsSent() {
        var operation = rotateWithUndo
        operation.parameters["undo"] = .object(["method": .string("TRACE")])
        let outcome = driver.execute(operation, context: HTTPFixtures.context([adminAPI]))
        XCTAssertFalse(outcome.succeeded)
        XCTAssertTrue(server.requests.isEmpty)
    }

    func testConnectionRefreshPostsToTheRefreshPath() {
        server.respond(to: "/admin/pool/refresh", method: "POST", with: .init(status: 200, body: "refreshed 4"))
        let operation = HTTPFixtures.operation(.connectionRefresh, target: "admin_api", ["path": .string("/pool/refresh")])
        let outcome = driver.execute(operation, context: HTTPFixtures.context([adminAPI]))
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertNil(outcome.undo)
        XCTAssertEqual(server.requests.map(\.method), ["POST"])
        XCTAssertEqual(try driver.plan(operation, context: HTTPFixtures.context([adminAPI])),
                       "POST \(server.baseURL)/admin/pool/refresh (headers: Authorization: ***)")
    }

    func testConnectionRefreshRunsAServiceReloadCommand() throws {
        let marker = try TemporaryDirectory.make(prefix: "ob-reload") + "/reloaded"
        defer { try? FileManager.default.removeItem(atPath: (marker as NSString).deletingLastPathComponent) }
        let service = TargetDefinition(name: "worker", kind: .service, fields: [
            "reload": .array([.string("touch"), .string(marker)]),
        ])
        let operation = HTTPFixtures.operation(.connectionRefresh, target: "worker")
        XCTAssertEqual(try driver.plan(operation, context: HTTPFixtures.context([service])), "run touch \(marker)")
        let outcome = driver.execute(operation, context: HTTPFixtures.context([service]))
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertTrue(FileManager.default.fileExists(atPath: marker))
    }

    func testFailingReloadCommandFails() {
        let service = TargetDefinition(name: "worker", kind: .service, fields: [
            "reload": .array([.string("ls"), .string("/definitely/not/here")]),
        ])
        let outcome = driver.execute(HTTPFixtures.operation(.connectionRefresh, target: "worker"), context: HTTPFixtures.context([service]))
        XCTAssertFalse(outcome.succeeded)
        XCTAssertTrue(outcome.summary.contains("exited with"), outcome.summary)
        XCTAssertEqual(outcome.details["exit_code"]?.doubleValue.map { $0 != 0 }, true)
    }

    func testUnitTargetsReloadThroughSystemctl() throws {
        let service = TargetDefinition(name: "app", kind: .service, fields: ["unit": .string("app.service")])
        let plan = try driver.plan(HTTPFixtures.operation(.connectionRefresh, target: "app"), context: HTTPFixtures.context([service]))
        XCTAssertEqual(plan, "run systemctl reload app.service")
    }

    func testServiceWithoutUnitOrReloadFails() {
        let service = TargetDefinition(name: "cron", kind: .service, fields: ["start": .array([.string("/bin/true")])])
        let outcome = driver.execute(HTTPFixtures.operation(.connectionRefresh, target: "cron"), context: HTTPFixtures.context([service]))
        XCTAssertFalse(outcome.succeeded)
        XCTAssertTrue(outcome.summary.contains("'cron' has neither a unit nor a reload command"), outcome.summary)
    }

    func testOperationsOfOtherFamiliesAreNotHandled() {
        XCTAssertEqual(driver.operations, [.httpCall, .connectionRefresh, .alertmanagerSilence])
        let outcome = driver.execute(HTTPFixtures.operation(.cacheClear, target: "admin_api"), context: HTTPFixtures.context([adminAPI]))
        XCTAssertFalse(outcome.succeeded)
    }
}
