import Foundation

/// One request to the LLM: instructions, data, and the strict JSON schema the answer must follow.
public struct LLMRequest: Sendable, Equatable {
    public var purpose: LLMPurpose
    public var system: String
    public var user: String
    /// The schema's name (`^[a-zA-Z0-9_-]+$`), sent as `json_schema.name`.
    public var schemaName: String
    public var schema: JSONValue
    /// Overrides the configured `max_tokens` when set.
    public var maxTokens: Int?

    public init(purpose: LLMPurpose, system: String, user: String, schemaName: String, schema: JSONValue, maxTokens: Int? = nil) {
        self.purpose = purpose
        self.system = system
        self.user = user
        self.schemaName = schemaName
        self.schema = schema
        self.maxTokens = maxTokens
    }
}

/// Tokens one call used, as the API reported them.
public struct LLMUsage: Sendable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int

    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    public var totalTokens: Int { promptTokens + completionTokens }
}

/// A validated answer.
public struct LLMAnswer: Sendable, Equatable {
    /// The answer's JSON, already checked against the request's schema.
    public var value: JSONValue
    public var usage: LLMUsage
    public var model: String

    public init(value: JSONValue, usage: LLMUsage, model: String) {
        self.value = value
        self.usage = usage
        self.model = model
    }
}

/// Why an LLM call gave no usable answer.
public struct LLMFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// 429 `insufficient_quota`: the account is out of credit; retrying cannot help.
        case quotaExhausted = "quota_exhausted"
        /// 429 `rate_limit_exceeded` still after the retries.
        case rateLimited = "rate_limited"
        /// Another HTTP error (400, 401, 404, 5xx after retries...).
        case http
        /// Timeout, refused connection, DNS.
        case transport
        /// The body is not the API's JSON (a truncated or garbled response).
        case malformedResponse = "malformed_response"
        /// `finish_reason == "length"`: the answer was cut off.
        case truncatedAnswer = "truncated_answer"
        /// The model refused.
        case refused
        /// The answer is not valid JSON or breaks the schema.
        case invalidAnswer = "invalid_answer"
    }

    public var kind: Kind
    public var message: String
    public var httpStatus: Int?
    /// Tokens billed even though the answer is unusable (truncated, refused, invalid).
    public var usage: LLMUsage?

    public init(_ kind: Kind, _ message: String, httpStatus: Int? = nil, usage: LLMUsage? = nil) {
        self.kind = kind
        self.message = message
        self.httpStatus = httpStatus
        self.usage = usage
    }

    public var description: String { "LLM \(kind.rawValue): \(message)" }
}

/// An OpenAI-compatible chat model (the port; `OpenAICompatibleClient` in Runners speaks HTTP).
public protocol LanguageModel: Sendable {
    /// The model name requests are sent with.
    var model: String { get }
    /// Sends `request` and returns a schema-valid answer, or throws `LLMFailure`.
    func complete(_ request: LLMRequest) throws -> LLMAnswer
}
