import CCurl
import OpsBrainCore

/// A blocking HTTP client over libcurl: one easy handle per request, a timeout on the whole
/// exchange, a capped response body, and no redirects unless the request asks for them.
///
/// Errors are `StepFailure`s naming the method and the URL (without credentials or query
/// values) and libcurl's own message. Safe to use from any thread.
public struct HTTPClient: Sendable {
    /// The most response body kept (1 MiB); the rest is dropped and `truncated` set.
    public static let responseLimit = 1 << 20

    private static let methods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]

    /// A client; it holds no state, so one can serve every thread.
    public init() {}

    /// Sends `request` and waits for the whole response, or fails at its timeout.
    public func send(_ request: HTTPRequest) throws -> HTTPResponse {
        let transfer = try CurlTransfer(url: request.url, displayName: request.displayName,
                                        timeout: request.timeout, limit: Self.responseLimit)
        try setMethod(request, on: transfer)
        try setHeaders(request, on: transfer)
        try transfer.set(CURLOPT_FOLLOWLOCATION, request.followRedirects ? 1 : 0)
        if request.followRedirects {
            try transfer.set(CURLOPT_MAXREDIRS, 5)
            try transfer.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        }
        if !request.verifyTLS {
            try transfer.set(CURLOPT_SSL_VERIFYPEER, 0)
            try transfer.set(CURLOPT_SSL_VERIFYHOST, 0)
        }
        let latency = try transfer.perform()
        return HTTPResponse(status: transfer.status, headers: transfer.sink.headers, body: transfer.sink.body,
                            truncated: transfer.sink.truncated, latency: latency)
    }

    /// Connects to `host:port`, completes a TLS handshake and returns the server's own certificate.
    ///
    /// The chain is deliberately NOT verified: this reads an expiry date, and an expired or
    /// self-signed certificate must still be readable. Nothing is sent after the handshake.
    /// `serverName` is the name sent for SNI when it differs from `host`.
    public func peerCertificate(host: String, port: Int, serverName: String? = nil, timeout: Duration) throws -> PeerCertificate {
        let name = serverName ?? host
        let url = "https://\(Self.bracketed(name)):\(port)/"
        let transfer = try CurlTransfer(url: url, displayName: "TLS handshake with \(Self.bracketed(host)):\(port)",
                                        timeout: timeout, limit: 0)
        if name != host {
            try transfer.set(CURLOPT_CONNECT_TO, list: ["\(Self.bracketed(name)):\(port):\(Self.bracketed(host)):\(port)"])
        }
        try transfer.set(CURLOPT_CONNECT_ONLY, 1)
        try transfer.set(CURLOPT_CERTINFO, 1)
        try transfer.set(CURLOPT_SSL_VERIFYPEER, 0)
        try transfer.set(CURLOPT_SSL_VERIFYHOST, 0)
        _ = try transfer.perform()
        guard let leaf = transfer.certificates.first else {
            throw StepFailure("\(transfer.displayName): the server presented no certificate")
        }
        do {
            return try PeerCertificate.parse(fields: leaf)
        } catch let failure as StepFailure {
            throw StepFailure("\(transfer.displayName): \(failure.message)")
        }
    }

    private func setMethod(_ request: HTTPRequest, on transfer: CurlTransfer) throws {
        guard Self.methods.contains(request.method) else {
            throw StepFailure("\(request.displayName): unsupported method (use \(Self.methods.sorted().joined(separator: ", ")))")
        }
        if request.body != nil, request.method == "GET" || request.method == "HEAD" {
            // libcurl would quietly turn such a request into a POST.
            throw StepFailure("\(request.displayName): a \(request.method) request cannot carry a body")
        }
        switch request.method {
        case "GET": try transfer.set(CURLOPT_HTTPGET, 1)
        case "HEAD": try transfer.set(CURLOPT_NOBODY, 1)
        case "POST": try transfer.set(CURLOPT_POST, 1)
        default: try transfer.set(CURLOPT_CUSTOMREQUEST, request.method)
        }
        if let body = request.body {
            try transfer.setBody(body)
        } else if request.method == "POST" {
            try transfer.setBody([])
        }
    }

    private func setHeaders(_ request: HTTPRequest, on transfer: CurlTransfer) throws {
        var lines: [String] = []
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) {
            // Only the header's name in the message: its value may well be a credential.
            guard !name.isEmpty, !"\(name)\(value)".contains(where: \.isNewline), !name.contains(":") else {
                throw StepFailure("\(request.displayName): header '\(name)' has a line break or a colon in it")
            }
            lines.append("\(name): \(value)")
        }
        // No `Expect: 100-continue` round trip before larger bodies.
        lines.append("Expect:")
        try transfer.set(CURLOPT_HTTPHEADER, list: lines)
    }

    /// An IPv6 literal in brackets, anything else as is.
    private static func bracketed(_ host: String) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    }
}
