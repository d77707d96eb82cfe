import OpsBrainCore

/// A parsed HTTP/1.1 request.
public struct HTTPServerRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    /// The request target as sent: path and query, still percent-encoded.
    public var target: String
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: [UInt8]
    /// The client's address.
    public var peer: String

    public init(method: String, path: String, query: [String: String] = [:], target: String? = nil, headers: [String: String] = [:],
                body: [UInt8] = [], peer: String = "") {
        self.method = method
        self.path = path
        self.query = query
        self.target = target ?? path
        self.headers = headers
        self.body = body
        self.peer = peer
    }

    /// The bearer token of the Authorization header, if any.
    public var bearerToken: String? {
        guard let value = headers["authorization"], value.lowercased().hasPrefix("bearer ") else { return nil }
        return String(value.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }
}

/// A response to write.
public struct HTTPServerResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON body.
    public static func json(_ status: Int, _ value: JSONValue) -> HTTPServerResponse {
        HTTPServerResponse(status: status, headers: [("Content-Type", "application/json")], body: Array((value.jsonText + "\n").utf8))
    }

    /// `{"error": message, "field": field}`, the shape of every error answer.
    public static func error(_ status: Int, _ message: String, field: String? = nil) -> HTTPServerResponse {
        var body: [String: JSONValue] = ["error": .string(message)]
        if let field, !field.isEmpty { body["field"] = .string(field) }
        return json(status, .object(body))
    }

    /// A plain-text body.
    public static func text(_ status: Int, _ text: String, contentType: String = "text/plain; charset=utf-8") -> HTTPServerResponse {
        HTTPServerResponse(status: status, headers: [("Content-Type", contentType)], body: Array(text.utf8))
    }
}
