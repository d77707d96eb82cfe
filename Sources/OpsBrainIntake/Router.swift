/// Maps method and path (with `{name}` segments) to handlers.
public struct Router: Sendable {
    public typealias Route = @Sendable (HTTPServerRequest, [String: String]) -> HTTPServerResponse

    private var routes: [(method: String, segments: [Substring], handler: Route)] = []

    public init() {}

    /// Adds a route; `{id}` in the pattern captures one path segment.
    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping Route) {
        routes.append((method, pattern.split(separator: "/"), handler))
    }

    /// Answers a request: the matching route, 405 when only the method is wrong, else 404.
    public func handle(_ request: HTTPServerRequest) -> HTTPServerResponse {
        let segments = request.path.split(separator: "/")
        var pathMatched = false
        for route in routes {
            guard let captures = Self.match(route.segments, segments) else { continue }
            pathMatched = true
            if route.method == request.method { return route.handler(request, captures) }
        }
        return pathMatched ? .error(405, "method \(request.method) not allowed on \(request.path)")
                           : .error(404, "no such endpoint: \(request.path)")
    }

    static func match(_ pattern: [Substring], _ path: [Substring]) -> [String: String]? {
        guard pattern.count == path.count else { return nil }
        var captures: [String: String] = [:]
        for (expected, actual) in zip(pattern, path) {
            if expected.hasPrefix("{") && expected.hasSuffix("}") {
                captures[String(expected.dropFirst().dropLast())] = String(actual).removingPercentEncoding ?? String(actual)
            } else if expected != actual {
                return nil
            }
        }
        return captures
    }
}
