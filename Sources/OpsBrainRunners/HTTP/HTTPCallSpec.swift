import OpsBrainCore

/// One request of an `http_call` operation, or of its `undo`: method, path and body.
struct HTTPCallSpec: Sendable, Equatable {
    static let methods: Set<String> = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    var method: String
    var path: String?
    var body: JSONValue?

    init(method: String, path: String?, body: JSONValue? = nil) {
        self.method = method
        self.path = path
        self.body = body
    }

    /// Reads `method` (default POST), `path` and `body` from `fields`; `role` names them in errors.
    init(_ fields: [String: JSONValue], role: String) throws {
        method = fields["method"]?.stringValue ?? "POST"
        guard Self.methods.contains(method) else {
            throw StepFailure("\(role): method \(method) is not one of \(Self.methods.sorted().joined(separator: ", "))")
        }
        if let path = fields["path"], path.stringValue == nil { throw StepFailure("\(role): path must be a string") }
        self.path = fields["path"]?.stringValue
        body = fields["body"]
    }

    /// The `undo` request of an operation's parameters (validated), or nil when there is none.
    static func undo(of parameters: [String: JSONValue]) throws -> HTTPCallSpec? {
        guard let undo = parameters["undo"] else { return nil }
        guard let fields = undo.objectValue else { throw StepFailure("undo must be a mapping with method, path and body") }
        return try HTTPCallSpec(fields, role: "undo")
    }

    /// The request as JSON, the shape `init` reads: kept as an outcome's `undo`.
    var json: JSONValue {
        var fields: [String: JSONValue] = ["method": .string(method)]
        if let path { fields["path"] = .string(path) }
        if let body { fields["body"] = body }
        return .object(fields)
    }

    /// `POST http://host/x (headers: …) with body {...}` for plans.
    func describe(on endpoint: HTTPEndpoint) -> String {
        let line = endpoint.describe(method, path: path)
        guard let body else { return line }
        return line + " with body " + endpoint.redactor.redact(body.stringValue ?? body.jsonText)
    }

    /// Sends the request to `endpoint`.
    func send(to endpoint: HTTPEndpoint, timeout: Duration) throws -> HTTPResponse {
        try endpoint.send(method, path: path, body: body, timeout: timeout)
    }
}
