/// One HTTP request for `HTTPClient`: what to send, and how long to wait for the answer.
public struct HTTPRequest: Sendable, Equatable {
    /// `GET`, `HEAD`, `POST`, `PUT`, `PATCH` or `DELETE`.
    public var method: String
    public var url: String
    public var headers: [String: String]
    public var body: [UInt8]?
    /// The whole exchange (connect, TLS, request, response) must finish within this.
    public var timeout: Duration
    /// False only for targets configured with `tls_verify: false`.
    public var verifyTLS: Bool
    /// Off by default: a redirect answers with its own 3xx status.
    public var followRedirects: Bool

    /// A request; GET with no body, a 10 s timeout, TLS verified and redirects not followed unless given.
    public init(method: String = "GET", url: String, headers: [String: String] = [:], body: [UInt8]? = nil,
                timeout: Duration = .seconds(10), verifyTLS: Bool = true, followRedirects: Bool = false) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.verifyTLS = verifyTLS
        self.followRedirects = followRedirects
    }

    /// "POST https://host/path?key=***": the method and the URL without credentials or query values.
    public var displayName: String { "\(method) \(URLText.redacted(url))" }
}
