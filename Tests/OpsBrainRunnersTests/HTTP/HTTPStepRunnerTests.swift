import OpsBrainCore
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// `http` steps against a real local HTTP server.
final class HTTPStepRunnerTests: XCTestCase {
    private var server: LocalHTTPServer!
    private let runner = HTTPStepRunner()

    override func setUpWithError() throws {
        server = try LocalHTTPServer()
    }

    override func tearDown() {
        server.stop()
    }

    private func run(_ parameters: [String: JSONValue] = [:], timeout: Duration = .seconds(5),
                     target: TargetDefinition? = nil) -> StepResult {
        let target = target ?? HTTPFixtures.target("app_api", url: server.baseURL)
        return runner.run(HTTPFixtures.step(.http, target: target.name, timeout: timeout, parameters),
                          context: HTTPFixtures.context([target]))
    }

    func testYieldsStatusLatencyAndBody() throws {
        server.respond(to: "/health", with: .init(body: "ok: all good", delay: .milliseconds(120)))
        let result = run(["path": .string("/health")])
        XCTAssertNil(result.error)
        XCTAssertEqual(result.values["status"], JSONValue.number(200))
        XCTAssertEqual(result.values["body"], JSONValue.string("ok: all good"))
        let latency = try XCTUnwrap(result.values["latency_ms"]?.doubleValue)
        XCTAssertGreaterThanOrEqual(latency, 120)
        XCTAssertLessThan(latency, 3000)
        XCTAssertEqual(server.requests.map(\.method), ["GET"])
        XCTAssertEqual(server.requests.map(\.path), ["/health"])
    }

    func testServerErrorIsAValueNotAFailure() {
        server.respond(to: "/health", with: .init(status: 500, body: "database down"))
        let result = run(["path": .string("/health")])
        XCTAssertNil(result.error)
        XCTAssertEqual(result.values["status"], JSONValue.number(500))
        XCTAssertEqual(result.values["body"], JSONValue.string("database down"))
    }

    func testRedirectIsNotFollowed() {
        server.respond(to: "/old", with: .init(status: 302, headers: ["Location": "/new"]))
        server.respond(to: "/new", with: .init(body: "moved"))
        let result = run(["path": .string("/old")])
        XCTAssertEqual(result.values["status"], JSONValue.number(302))
        XCTAssertTrue(server.requests(to: "/new").isEmpty)
    }

    func testSlowServerIsCutAtTheStepTimeoutAndReadsAsNoAnswer() {
        server.respond(to: "/slow", with: .init(body: "late", delay: .seconds(5)))
        let start = ContinuousClock.now
        let result = run(["path": .string("/slow")], timeout: .milliseconds(300))
        XCTAssertLessThan(start.duration(to: .now), .seconds(3))
        XCTAssertNil(result.error, "the check ran; the service did not answer")
        XCTAssertEqual(result.values["status"], .number(0))
        let reason = result.values["body"]?.stringValue ?? ""
        XCTAssertTrue(reason.contains("timed out"), reason)
        XCTAssertTrue(reason.contains("app_api") && reason.contains("/slow"), reason)
    }

    func testRefusedConnectionReadsAsStatusZeroNamingTheURL() throws {
        let port = try TestSockets.freePort()
        let target = HTTPFixtures.target("gone_api", url: "http://127.0.0.1:\(port)")
        let result = run(["path": .string("/health")], target: target)
        XCTAssertNil(result.error)
        XCTAssertEqual(result.values["status"], .number(0))
        let reason = result.values["body"]?.stringValue ?? ""
        XCTAssertTrue(reason.contains("gone_api") && reason.contains("127.0.0.1:\(port)/health"), reason)
        XCTAssertTrue(reason.lowercased().contains("connect"), reason)
    }

    func testUnknownTargetFailsClearly() {
        let result = runner.run(HTTPFixtures.step(.http, target: "nope"), context: HTTPFixtures.context([]))
        XCTAssertEqual(result.error, "target 'nope' is not defined in the config")
    }

    func testTargetOfTheWrongKindFails() {
        let target = TargetDefinition(name: "db", kind: .postgres, fields: ["url": .string("postgres://x")])
        let result = run(target: target)
        XCTAssertTrue(result.error?.contains("target 'db' is a postgres target") ?? false, result.error ?? "")
    }

    func testBodyIsCappedAt4096Bytes() {
        server.respond(to: "/big", with: .init(body: String(repeating: "x", count: 10_000)))
        let result = run(["path": .string("/big")])
        XCTAssertEqual(result.values["body"]?.stringValue?.utf8.count, 4096)
    }

    func testPostSendsTheJSONBody() {
        server.respond(to: "/search", method: "POST", with: .init(status: 201, body: "made"))
        let result = run(["path": .string("/search"), "method": .string("POST"), "body": .object(["q": .string("lead"), "limit": .number(5)])])
        XCTAssertEqual(result.values["status"], JSONValue.number(201))
        let request = server.requests.first
        XCTAssertEqual(request?.method, "POST")
        XCTAssertEqual(request?.bodyText, #"{"limit":5,"q":"lead"}"#)
        XCTAssertEqual(request?.headers["content-type"], "application/json")
    }

    func testHeadHasNoBody() {
        server.respond(to: "/", with: .init(body: "page"))
        let result = run(["method": .string("HEAD")])
        XCTAssertEqual(result.values["status"], JSONValue.number(200))
        XCTAssertEqual(result.values["body"], JSONValue.string(""))
        XCTAssertEqual(server.requests.first?.method, "HEAD")
    }

    func testMethodsThatChangeThingsAreRefused() {
        let result = run(["method": .string("DELETE")])
        XCTAssertTrue(result.error?.contains("DELETE is not allowed") ?? false, result.error ?? "")
        XCTAssertTrue(server.requests.isEmpty)
    }

    func testSecretHeaderIsSentButNeverYielded() {
        // The server echoes the credential back, as some misbehaving APIs do.
        server.respond(to: "/me", with: .init(body: "you sent \(HTTPFixtures.secret)"))
        let target = HTTPFixtures.target("admin_api", url: server.baseURL + "/admin", withSecret: true)
        server.respond(to: "/admin/me", with: .init(body: "you sent \(HTTPFixtures.secret)"))
        let result = run(["path": .string("me")], target: target)
        XCTAssertEqual(server.requests.first?.headers["authorization"], HTTPFixtures.secret)
        XCTAssertEqual(server.requests.first?.path, "/admin/me")
        XCTAssertEqual(result.values["body"], JSONValue.string("you sent ***"))
        XCTAssertFalse(HTTPFixtures.exposed(result).contains("s3cret"))
    }

    func testEchoedFragmentsOfTheTokenAreMasked() {
        // "Bearer s3cret-token-value": an upstream names the part of the token it refuses.
        let target = HTTPFixtures.target("admin_api", url: server.baseURL, withSecret: true)
        server.respond(to: "/me", with: .init(status: 401, body: #"{"error": "token s3cret-tok… is not valid; expected …oken-value"}"#))
        let result = run(["path": .string("/me")], target: target)
        XCTAssertEqual(result.values["body"], .string(#"{"error": "token ***… is not valid; expected …***"}"#))
        let exposed = HTTPFixtures.exposed(result)
        let token = Array("s3cret-token-value")
        for start in 0...(token.count - 8) { XCTAssertFalse(exposed.contains(String(token[start..<start + 8])), exposed) }
    }

    func testMissingSecretVariableFailsWithoutSending() {
        var target = HTTPFixtures.target("admin_api", url: server.baseURL, withSecret: true)
        target.fields["headers_env"] = .object(["Authorization": .string("OB_TEST_UNSET_VARIABLE")])
        let result = run(target: target)
        XCTAssertTrue(result.error?.contains("admin_api") ?? false, result.error ?? "")
        XCTAssertTrue(server.requests.isEmpty)
    }
}
