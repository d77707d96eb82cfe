import OpsBrainCore

/// Sends one notification request and turns transport errors into retryable outcomes without
/// ever naming the URL: webhook URLs carry their secret in the path.
struct NotifyHTTP: Sendable {
    let client: HTTPClient

    /// The response, its body redacted of `secrets` and the URL (a service may echo the key it
    /// refused, and the body becomes the stored detail), or a transport-error outcome labelled with
    /// `label` (e.g. "Slack webhook").
    func send(_ request: HTTPRequest, label: String, secrets: [String]) -> Result<HTTPResponse, DeliveryOutcomeError> {
        let redactor = SecretRedactor(secrets: secrets + [request.url, request.displayName])
        do {
            var response = try client.send(request)
            response.body = Array(redactor.redact(String(decoding: response.body, as: UTF8.self)).utf8)
            return .success(response)
        } catch {
            let message = "\(error)"
            // HTTPClient's messages start with "METHOD url: "; keep only what libcurl said.
            let reason = message.hasPrefix(request.displayName + ": ") ? String(message.dropFirst(request.displayName.count + 2)) : message
            return .failure(DeliveryOutcomeError(detail: "\(label): \(redactor.redact(reason))"))
        }
    }

    /// A JSON POST.
    static func jsonRequest(url: String, body: JSONValue, timeout: Duration) -> HTTPRequest {
        HTTPRequest(method: "POST", url: url, headers: ["Content-Type": "application/json"], body: Array(body.jsonText.utf8),
                    timeout: timeout)
    }

    /// An `application/x-www-form-urlencoded` POST.
    static func formRequest(url: String, fields: [(String, String)], timeout: Duration) -> HTTPRequest {
        let body = fields.map { "\(URLText.percentEncoded($0.0))=\(URLText.percentEncoded($0.1))" }.joined(separator: "&")
        return HTTPRequest(method: "POST", url: url, headers: ["Content-Type": "application/x-www-form-urlencoded"],
                           body: Array(body.utf8), timeout: timeout)
    }

    /// `text` cut to `limit` characters, ending in "…" when cut.
    static func cut(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}

/// A request that never got an answer, described without secrets.
struct DeliveryOutcomeError: Error {
    let detail: String
}
