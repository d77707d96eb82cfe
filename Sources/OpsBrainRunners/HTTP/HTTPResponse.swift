import OpsBrainPlatform

/// What came back from an `HTTPClient` request.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    /// Header names in lower case; repeated headers joined with ", ".
    public var headers: [String: String]
    /// At most `HTTPClient.responseLimit` bytes.
    public var body: [UInt8]
    /// True when the server sent more than `HTTPClient.responseLimit` bytes and the rest was dropped.
    public var truncated: Bool
    /// From sending the request to the last byte kept.
    public var latency: Duration

    /// A response as `HTTPClient` assembles it.
    public init(status: Int, headers: [String: String], body: [UInt8], truncated: Bool, latency: Duration) {
        self.status = status
        self.headers = headers
        self.body = body
        self.truncated = truncated
        self.latency = latency
    }

    /// The latency in whole milliseconds.
    public var latencyMs: Int { Int(latency.milliseconds) }

    /// True for 2xx statuses.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as text (invalid UTF-8 repaired), cut to at most `limit` bytes.
    public func bodyText(limit: Int) -> String {
        String(decoding: body.prefix(limit), as: UTF8.self)
    }
}
