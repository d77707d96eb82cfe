import OpsBrainCore

/// An HTTP-speaking target (http, prometheus, alertmanager, token) resolved for one call:
/// its base URL, the headers it reads from the environment, and how to keep those secret.
struct HTTPEndpoint: Sendable {
    /// The target's name, for messages.
    let name: String
    let baseURL: String
    let headers: [String: String]
    let verifyTLS: Bool
    /// Masks the target's secrets in anything this endpoint reports.
    let redactor: SecretRedactor
    private let client: HTTPClient

    /// Resolves `target`'s URL and `headers_env` from `environment`.
    init(_ target: TargetDefinition, environment: [String: String], client: HTTPClient) throws {
        name = target.name
        baseURL = try target.resolved("url", environment: environment)
        let scheme = baseURL.prefix(8).lowercased()
        guard scheme.hasPrefix("http://") || scheme.hasPrefix("https://") else {
            throw StepFailure("target '\(target.name)': url must start with http:// or https://")
        }
        headers = try target.headers(environment: environment)
        verifyTLS = target.fields["tls_verify"]?.boolValue ?? true
        redactor = SecretRedactor(target: target, environment: environment)
        self.client = client
    }

    /// The target's URL with `path` appended.
    func url(_ path: String?) -> String { URLText.join(baseURL, path) }

    /// The request as a person should see it: `POST http://host/x (headers: Authorization: ***)`,
    /// with credentials, query values and header values masked.
    func describe(_ method: String, path: String?) -> String {
        let line = redactor.redact("\(method) \(URLText.redacted(url(path)))")
        guard !headers.isEmpty else { return line }
        let masked = headers.keys.sorted().map { "\($0): \(SecretRedactor.mask)" }.joined(separator: ", ")
        return line + " (headers: \(masked))"
    }

    /// Sends one request to the target. A JSON `body` goes as JSON; a string body as it is.
    /// Failures name the target and never carry its secrets.
    func send(_ method: String, path: String?, body: JSONValue? = nil, timeout: Duration) throws -> HTTPResponse {
        var request = HTTPRequest(method: method, url: url(path), headers: headers, timeout: timeout, verifyTLS: verifyTLS)
        switch body {
        case nil: break
        case .string(let text)?: request.body = Array(text.utf8)
        case let json?:
            request.body = Array(json.jsonText.utf8)
            if !headers.keys.contains(where: { $0.lowercased() == "content-type" }) {
                request.headers["Content-Type"] = "application/json"
            }
        }
        do {
            return try client.send(request)
        } catch let failure as StepFailure {
            throw StepFailure(redactor.redact("target '\(name)': \(failure.message)"))
        }
    }

    /// The response body for results and the audit trail: at most `limit` bytes, secrets masked.
    func bodyText(_ response: HTTPResponse, limit: Int = 4096) -> String {
        redactor.redact(response.bodyText(limit: limit))
    }
}
