import Foundation
import OpsBrainCore

/// Any OpenAI-compatible chat endpoint (OpenAI, Ollama's `/v1`, llama.cpp server, vLLM).
///
/// Strict JSON-schema answers, validated locally as well (local servers may ignore `strict`);
/// a timeout per request; retries for 429 `rate_limit_exceeded`, 408, 409, 5xx and transport
/// errors with capped exponential backoff and jitter (Retry-After honoured up to a minute);
/// 429 `insufficient_quota` and other 4xx are never retried.
public struct OpenAICompatibleClient: LanguageModel {
    public var model: String { settings.model }
    let settings: LLMSettings
    let apiKey: String?
    let client: HTTPClient
    let pause: @Sendable (Duration) -> Void
    let jitter: @Sendable () -> Double
    static let backoff = Backoff(base: .milliseconds(500), cap: .seconds(8))
    /// A Retry-After longer than this is not waited for: the call fails instead.
    static let longestWait: Duration = .seconds(60)

    /// A client; `pause` and `jitter` are the real sleep and randomness unless a test passes its own.
    public init(settings: LLMSettings, apiKey: String?, client: HTTPClient = HTTPClient(),
                pause: @escaping @Sendable (Duration) -> Void = { Thread.sleep(forTimeInterval: Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18) },
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.settings = settings
        self.apiKey = apiKey
        self.client = client
        self.pause = pause
        self.jitter = jitter
    }

    /// The chat-completions URL: `{base}/v1/chat/completions`, or `{base}/chat/completions` when the base ends in `/v1`.
    public var endpoint: String {
        var base = settings.baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base.hasSuffix("/v1") ? base + "/chat/completions" : base + "/v1/chat/completions"
    }

    public func complete(_ request: LLMRequest) throws -> LLMAnswer {
        let http = httpRequest(request)
        var retries = 0
        while true {
            switch once(http, request) {
            case .answer(let answer): return answer
            case .fail(let failure): throw failure
            case .retry(let failure, let after):
                guard retries < settings.maxRetries else { throw failure }
                retries += 1
                let wait = after ?? Self.backoff.delay(attempt: retries, jitter: jitter())
                guard wait <= Self.longestWait else { throw LLMFailure(failure.kind, failure.message + " (asked to wait \(wait))", httpStatus: failure.httpStatus) }
                pause(wait)
            }
        }
    }

    private func once(_ http: HTTPRequest, _ request: LLMRequest) -> ChatCompletion.Step {
        let response: HTTPResponse
        do {
            response = try client.send(http)
        } catch {
            let redactor = SecretRedactor(secrets: apiKey.map { [$0] } ?? [])
            return .retry(LLMFailure(.transport, redactor.redact("\(error)")), after: nil)
        }
        let after = response.headers["retry-after-ms"].flatMap { Double($0) }.map { Duration.milliseconds(Int64($0)) }
            ?? ServiceResponseRules.seconds(response.headers["retry-after"])
        return ChatCompletion.read(status: response.status, body: response.bodyText(limit: HTTPClient.responseLimit),
                                   retryAfter: after, request: request, model: settings.model)
    }

    private func httpRequest(_ request: LLMRequest) -> HTTPRequest {
        var headers = ["Content-Type": "application/json"]
        if let apiKey, !apiKey.isEmpty { headers["Authorization"] = "Bearer \(apiKey)" }
        return HTTPRequest(method: "POST", url: endpoint, headers: headers,
                           body: Array(ChatCompletion.body(request, settings: settings).jsonText.utf8), timeout: settings.timeout)
    }
}
