import Foundation
import OpsBrainCore
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// The OpenAI-compatible client against a local server speaking the chat-completions protocol,
/// errors included: 429 `rate_limit_exceeded` (retried after Retry-After) vs `insufficient_quota`
/// (never retried), 5xx, 400, slow answers, truncated JSON, cut-off and refused answers.
final class OpenAICompatibleClientTests: XCTestCase {
    private var server: LocalHTTPServer!
    private let path = "/v1/chat/completions"
    private let key = "sk-test-0123456789abcdef"
    /// Waits the client asked for; the hook also lets a test change the server's answer between tries.
    private let waits = WaitLog()

    override func setUpWithError() throws { server = try LocalHTTPServer() }
    override func tearDown() { server.stop() }

    private func client(retries: Int = 2, timeout: Duration = .seconds(5), base: String? = nil,
                        onPause: (@Sendable () -> Void)? = nil) -> OpenAICompatibleClient {
        let waits = self.waits
        return OpenAICompatibleClient(
            settings: LLMSettings(enabled: true, baseURL: base ?? server.baseURL, model: "gpt-4o-mini", timeout: timeout, maxRetries: retries,
                                  maxTokens: 300),
            apiKey: key, pause: { waits.append($0); onPause?() }, jitter: { 1 })
    }

    private let request = AssistantPrompts.diagnosis(alertDetails: "DB down", sopName: "database-connection-dropped",
                                                     diagnosisResults: .object(["db_tcp": .string("failed")]))

    static func completion(_ content: String, finish: String = "stop", refusal: String? = nil) -> LocalHTTPServer.Response {
        let message: JSONValue = .object(["role": .string("assistant"), "content": .string(content),
                                          "refusal": refusal.map(JSONValue.string) ?? .null])
        let body: JSONValue = .object([
            "id": .string("chatcmpl-1"), "object": .string("chat.completion"), "model": .string("gpt-4o-mini-2024-07-18"),
            "choices": .array([.object(["index": .number(0), "message": message, "finish_reason": .string(finish)])]),
            "usage": .object(["prompt_tokens": .number(812), "completion_tokens": .number(64), "total_tokens": .number(876)]),
        ])
        return .json(body.jsonText)
    }

    static let goodAnswer = #"{"root_cause":"the database host is down","confidence":85,"evidence":["db_tcp failed"],"recommended_fix":"restart the database"}"#

    static func apiError(_ status: Int, type: String, code: String, headers: [String: String] = [:]) -> LocalHTTPServer.Response {
        LocalHTTPServer.Response(status: status, body: #"{"error":{"message":"\#(code) happened","type":"\#(type)","param":null,"code":"\#(code)"}}"#,
                                 headers: headers.merging(["Content-Type": "application/json"]) { $1 })
    }

    func testStrictSchemaRequestAndValidatedAnswer() throws {
        server.respond(to: path, method: "POST", with: Self.completion(Self.goodAnswer))
        let answer = try client().complete(request)
        XCTAssertEqual(answer.value["confidence"], .number(85))
        XCTAssertEqual(answer.usage, LLMUsage(promptTokens: 812, completionTokens: 64))
        XCTAssertEqual(answer.model, "gpt-4o-mini-2024-07-18")
        let sent = try XCTUnwrap(server.requests.first)
        XCTAssertEqual(sent.headers["authorization"], "Bearer \(key)")
        let body = try JSONValue(parsing: sent.bodyText)
        XCTAssertEqual(body["model"], .string("gpt-4o-mini"))
        XCTAssertEqual(body["max_tokens"], .number(300))
        XCTAssertEqual(body["response_format"]?["type"], .string("json_schema"))
        XCTAssertEqual(body["response_format"]?["json_schema"]?["strict"], .bool(true))
        XCTAssertEqual(body["response_format"]?["json_schema"]?["name"], .string("diagnosis_summary"))
        XCTAssertFalse(sent.bodyText.contains("maxLength"), "strict mode rejects maxLength; it is checked locally")
        XCTAssertEqual(body["messages"]?.arrayValue?.count, 2)
        XCTAssertTrue(body["messages"]?.arrayValue?.last?["content"]?.stringValue?.contains("You are an ops diagnostician.") == true)
    }

    func testBaseURLEndingInV1IsNotDoubled() {
        XCTAssertEqual(client(base: "http://127.0.0.1:11434/v1/").endpoint, "http://127.0.0.1:11434/v1/chat/completions")
        XCTAssertEqual(client(base: "https://api.openai.com").endpoint, "https://api.openai.com/v1/chat/completions")
    }

    func testRateLimitIsRetriedAfterRetryAfter() throws {
        server.respond(to: path, with: Self.apiError(429, type: "requests", code: "rate_limit_exceeded", headers: ["retry-after": "2"]))
        let server = self.server!
        let answer = try client(onPause: { server.respond(to: "/v1/chat/completions", with: Self.completion(Self.goodAnswer)) }).complete(request)
        XCTAssertEqual(answer.value["root_cause"], .string("the database host is down"))
        XCTAssertEqual(waits.all, [.seconds(2)])
        XCTAssertEqual(server.requests.count, 2)
    }

    func testInsufficientQuotaIsNeverRetried() {
        server.respond(to: path, with: Self.apiError(429, type: "insufficient_quota", code: "insufficient_quota"))
        XCTAssertThrowsError(try client().complete(request)) { error in
            XCTAssertEqual((error as? LLMFailure)?.kind, .quotaExhausted)
            XCTAssertEqual((error as? LLMFailure)?.httpStatus, 429)
        }
        XCTAssertEqual(server.requests.count, 1)
        XCTAssertEqual(waits.all, [])
    }

    func testServerErrorsBackOffThenGiveUp() {
        server.respond(to: path, with: Self.apiError(503, type: "server_error", code: "overloaded"))
        XCTAssertThrowsError(try client(retries: 3).complete(request)) { error in
            XCTAssertEqual((error as? LLMFailure)?.kind, .http)
            XCTAssertTrue("\(error)".contains("HTTP 503: overloaded happened"), "\(error)")
        }
        XCTAssertEqual(server.requests.count, 4)
        XCTAssertEqual(waits.all, [.milliseconds(500), .seconds(1), .seconds(2)], "capped exponential backoff")
    }

    func testBadRequestIsNotRetried() {
        server.respond(to: path, with: Self.apiError(400, type: "invalid_request_error", code: "invalid_json_schema"))
        XCTAssertThrowsError(try client().complete(request))
        XCTAssertEqual(server.requests.count, 1)
    }

    func testSlowAnswerTimesOutAndIsRetried() {
        server.respond(to: path, with: LocalHTTPServer.Response(status: 200, body: "{}", delay: .seconds(3)))
        XCTAssertThrowsError(try client(retries: 1, timeout: .milliseconds(300)).complete(request)) { error in
            XCTAssertEqual((error as? LLMFailure)?.kind, .transport)
            XCTAssertFalse("\(error)".contains(self.key))
        }
        XCTAssertEqual(waits.all.count, 1)
    }

    func testTruncatedResponseBodyIsRejected() {
        server.respond(to: path, with: .json(#"{"id":"chatcmpl-1","choices":[{"index":0,"message":{"role":"assist"#))
        XCTAssertThrowsError(try client().complete(request)) { error in
            XCTAssertEqual((error as? LLMFailure)?.kind, .malformedResponse)
        }
        XCTAssertEqual(server.requests.count, 1)
    }

    func testCutOffRefusedAndInvalidAnswersAreRejectedWithTheirUsage() {
        server.respond(to: path, with: Self.completion(#"{"root_cause":"the data"#, finish: "length"))
        XCTAssertThrowsError(try client().complete(request)) { error in
            XCTAssertEqual((error as? LLMFailure)?.kind, .truncatedAnswer)
            XCTAssertEqual((error as? LLMFailure)?.usage?.completionTokens, 64)
        }
        server.respond(to: path, with: Self.completion("", refusal: "I can't help with that."))
        XCTAssertThrowsError(try client().complete(request)) { XCTAssertEqual(($0 as? LLMFailure)?.kind, .refused) }
        server.respond(to: path, with: Self.completion(#"{"root_cause":"x","confidence":"high","evidence":[],"recommended_fix":"y"}"#))
        XCTAssertThrowsError(try client().complete(request)) { error in
            XCTAssertEqual((error as? LLMFailure)?.kind, .invalidAnswer)
            XCTAssertTrue("\(error)".contains("$.confidence: expected integer, got a string"), "\(error)")
        }
        server.respond(to: path, with: Self.completion("Sure! The root cause is..."))
        XCTAssertThrowsError(try client().complete(request)) { XCTAssertEqual(($0 as? LLMFailure)?.kind, .invalidAnswer) }
    }
}

/// Thread-safe record of the waits a client asked for.
final class WaitLog: @unchecked Sendable {
    private let lock = NSLock()
    private var waits: [Duration] = []

    func append(_ wait: Duration) { lock.withLock { waits.append(wait) } }
    var all: [Duration] { lock.withLock { waits } }
}
