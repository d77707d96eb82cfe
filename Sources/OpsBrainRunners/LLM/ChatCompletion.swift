import OpsBrainCore

/// The OpenAI chat-completions wire format: the request body, and what a response means.
enum ChatCompletion {
    /// What one HTTP exchange came to.
    enum Step {
        case answer(LLMAnswer)
        /// Worth another try, after `after` when the server said so.
        case retry(LLMFailure, after: Duration?)
        case fail(LLMFailure)
    }

    /// `{model, messages, temperature, max_tokens, response_format: json_schema strict}`.
    static func body(_ request: LLMRequest, settings: LLMSettings) -> JSONValue {
        .object([
            "model": .string(settings.model),
            "messages": .array([
                .object(["role": .string("system"), "content": .string(request.system)]),
                .object(["role": .string("user"), "content": .string(request.user)]),
            ]),
            "temperature": .number(settings.temperature),
            "max_tokens": .number(Double(request.maxTokens ?? settings.maxTokens)),
            "response_format": .object([
                "type": .string("json_schema"),
                "json_schema": .object(["name": .string(request.schemaName), "strict": .bool(true),
                                        "schema": wireSchema(request.schema)]),
            ]),
        ])
    }

    /// The schema as sent: without `minLength`/`maxLength`, which strict mode rejects; the
    /// local check still applies them.
    static func wireSchema(_ schema: JSONValue) -> JSONValue {
        switch schema {
        case .object(let fields):
            var kept: [String: JSONValue] = [:]
            for (key, value) in fields where key != "minLength" && key != "maxLength" {
                kept[key] = key == "properties" || key == "items" || value.objectValue != nil ? wireSchema(value) : value
            }
            return .object(kept)
        case .array(let items): return .array(items.map(wireSchema))
        default: return schema
        }
    }

    /// Reads one response by the API's rules.
    static func read(status: Int, body: String, retryAfter: Duration?, request: LLMRequest, model: String) -> Step {
        switch status {
        case 200..<300: return answer(body, request: request, model: model)
        case 429:
            let error = apiError(body)
            if error.code == "insufficient_quota" || error.type == "insufficient_quota" {
                return .fail(LLMFailure(.quotaExhausted, "insufficient_quota: \(error.message)", httpStatus: status))
            }
            return .retry(LLMFailure(.rateLimited, "rate limited: \(error.message)", httpStatus: status), after: retryAfter)
        case 408, 409, 500...599:
            return .retry(LLMFailure(.http, "HTTP \(status): \(apiError(body).message)", httpStatus: status), after: retryAfter)
        default:
            return .fail(LLMFailure(.http, "HTTP \(status): \(apiError(body).message)", httpStatus: status))
        }
    }

    private static func answer(_ body: String, request: LLMRequest, model: String) -> Step {
        guard let response = try? JSONValue(parsing: body) else {
            return .fail(LLMFailure(.malformedResponse, "the response is not JSON (cut off?): \(clip(body))"))
        }
        let usage = LLMUsage(promptTokens: Int(response["usage"]?["prompt_tokens"]?.doubleValue ?? 0),
                             completionTokens: Int(response["usage"]?["completion_tokens"]?.doubleValue ?? 0))
        guard let choice = response["choices"]?.arrayValue?.first, let message = choice["message"] else {
            return .fail(LLMFailure(.malformedResponse, "the response has no choices[0].message", usage: usage))
        }
        if choice["finish_reason"]?.stringValue == "length" {
            return .fail(LLMFailure(.truncatedAnswer, "the answer hit max_tokens and was cut off", usage: usage))
        }
        if let refusal = message["refusal"]?.stringValue, !refusal.isEmpty {
            return .fail(LLMFailure(.refused, "the model refused: \(clip(refusal))", usage: usage))
        }
        guard let content = message["content"]?.stringValue, let value = try? JSONValue(parsing: content) else {
            return .fail(LLMFailure(.invalidAnswer, "the answer is not JSON: \(clip(message["content"]?.stringValue ?? "null"))", usage: usage))
        }
        let violations = StrictJSONSchema.violations(value, schema: request.schema)
        guard violations.isEmpty else {
            return .fail(LLMFailure(.invalidAnswer, "the answer breaks the schema: " + violations.prefix(3).joined(separator: "; "), usage: usage))
        }
        return .answer(LLMAnswer(value: value, usage: usage, model: response["model"]?.stringValue ?? model))
    }

    /// `{"error": {message, type, param, code}}`, or the body itself when it is not that.
    private static func apiError(_ body: String) -> (message: String, type: String?, code: String?) {
        guard let error = (try? JSONValue(parsing: body))?["error"] else { return (clip(body.isEmpty ? "no details" : body), nil, nil) }
        return (clip(error["message"]?.stringValue ?? error.jsonText), error["type"]?.stringValue, error["code"]?.stringValue)
    }

    static func clip(_ text: String) -> String {
        text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}
