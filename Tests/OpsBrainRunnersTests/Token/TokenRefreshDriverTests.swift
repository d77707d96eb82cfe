import Foundation
import OpsBrainCore
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// `token_refresh` against a local OAuth2 token endpoint and a real Redis.
final class TokenRefreshDriverTests: XCTestCase {
    private var server: LocalHTTPServer!
    private var redis: RedisTestServer!

    override func setUpWithError() throws {
        server = try LocalHTTPServer()
        redis = try RedisTestServer()
    }

    override func tearDown() {
        server.stop()
        redis.stop()
    }

    private func context(store: JSONValue) -> StepContext {
        let token = TargetDefinition(name: "integration_token", kind: .token, fields: [
            "url": .string("http://127.0.0.1:\(server.port)/oauth/token"), "credentials_env": .string("CLIENT_SECRET"), "store": store])
        let cache = TargetDefinition(name: "cache", kind: .redis, fields: ["url": .string(redis.url())])
        return StepContext(executionID: UUID(), alert: AlertSnapshot(alertType: "t", title: "t"),
                           targets: ["integration_token": token, "cache": cache], environment: ["CLIENT_SECRET": "sh-secret-123"])
    }

    private let operation = FixOperationSpec(id: "refresh", name: "refresh", operation: .tokenRefresh,
                                             parameters: ["target": .string("integration_token")])

    func testNewTokenIsStoredInRedisWithItsLifetimeAndNothingLeaks() throws {
        server.respond(to: "/oauth/token", with: .init(body: #"{"access_token": "tok-987654", "expires_in": 3600, "token_type": "bearer"}"#))
        let context = context(store: .object(["type": .string("redis"), "target": .string("cache"), "key": .string("tokens:integration")]))
        let outcome = TokenRefreshDriver().execute(operation, context: context)
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        let client = try redis.client()
        XCTAssertEqual(try client.command(["GET", "tokens:integration"]).string, "tok-987654")
        let ttl = try XCTUnwrap(try client.command(["TTL", "tokens:integration"]).integer)
        XCTAssertTrue((3590...3600).contains(ttl), "\(ttl)")
        let request = try XCTUnwrap(server.requests(to: "/oauth/token").first)
        XCTAssertEqual(String(decoding: request.body, as: UTF8.self), "grant_type=client_credentials&client_secret=sh-secret-123")
        let everything = outcome.summary + outcome.details.jsonText + ((try? TokenRefreshDriver().plan(operation, context: context)) ?? "")
        XCTAssertFalse(everything.contains("sh-secret-123") || everything.contains("tok-987654"), everything)
        XCTAssertNil(outcome.undo)
    }

    func testRefusedRefreshIsAClearFailureWithoutTheSecret() {
        server.respond(to: "/oauth/token", with: .init(status: 401, body: #"{"error": "invalid_client", "echo": "sh-secret-123"}"#))
        let outcome = TokenRefreshDriver().execute(operation, context: context(store: .object(["type": .string("file"), "path": .string("/tmp/ob-token")])))
        XCTAssertFalse(outcome.succeeded)
        XCTAssertTrue(outcome.summary.contains("answered 401"), outcome.summary)
        XCTAssertFalse(outcome.summary.contains("sh-secret-123"), outcome.summary)
    }

    func testTokenFileIsReplacedAtomicallyAndPrivate() throws {
        server.respond(to: "/oauth/token", with: .init(body: #"{"access_token": "file-token-1"}"#))
        let path = try TemporaryDirectory.make(prefix: "ob-token") + "/token"
        let outcome = TokenRefreshDriver().execute(operation, context: context(store: .object(["type": .string("file"), "path": .string(path)])))
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "file-token-1")
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
        XCTAssertEqual(mode, 0o600)
    }
}
