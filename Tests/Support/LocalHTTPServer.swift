import Foundation
import OpsBrainIntake
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A real HTTP/1.1 server for tests, on 127.0.0.1 and a random free port: the product's own
/// Hummingbird server with scripted answers.
///
/// Answers with scripted responses by path (optionally by method, optionally after a delay),
/// records every request it receives, and closes each connection after one answer.
public final class LocalHTTPServer: Sendable {
    /// A scripted answer.
    public struct Response: Sendable {
        public var status: Int
        public var body: [UInt8]
        public var headers: [String: String]
        /// How long to wait before answering (for timeout tests).
        public var delay: Duration

        /// A text answer.
        public init(status: Int = 200, body: String = "", headers: [String: String] = [:], delay: Duration = .zero) {
            self.init(status: status, bytes: Array(body.utf8), headers: headers, delay: delay)
        }

        /// A byte answer.
        public init(status: Int = 200, bytes: [UInt8], headers: [String: String] = [:], delay: Duration = .zero) {
            self.status = status
            self.body = bytes
            self.headers = headers
            self.delay = delay
        }

        /// A JSON answer.
        public static func json(_ text: String, status: Int = 200) -> Response {
            Response(status: status, body: text, headers: ["Content-Type": "application/json"])
        }
    }

    /// A request as the server received it.
    public struct Request: Sendable, Equatable {
        public var method: String
        /// The request target: path and query.
        public var path: String
        /// Header names in lower case.
        public var headers: [String: String]
        public var body: [UInt8]

        /// The body as UTF-8 text.
        public var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    /// The port the server listens on.
    public let port: Int
    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    private let server: HTTPServer
    private let script = Script()

    /// The state behind a lock, in a box the handler can hold.
    private final class Script: Sendable {
        let state = Mutex(State())
    }

    /// What the handler shares with the test: the script, what arrived, and whether it stopped.
    private struct State {
        var routes: [String: Response] = [:]
        var received: [Request] = []
        var stopped = false
    }

    /// Starts listening at once; unscripted paths answer 404.
    public init() throws {
        let script = script
        var limits = HTTPServer.Limits()
        limits.maxBodyBytes = 16 << 20
        limits.workers = 32
        server = HTTPServer(host: "127.0.0.1", port: 0, limits: limits) { request in Self.answer(request, script: script) }
        try server.start()
        port = server.port
    }

    /// Answers requests for `path` (exact, with query; or without one) with `response`,
    /// for any method unless `method` is given.
    public func respond(to path: String, method: String? = nil, with response: Response) {
        script.state.withLock { $0.routes[Self.routeKey(method, path)] = response }
    }

    /// Every request received so far, oldest first.
    public var requests: [Request] { script.state.withLock { $0.received } }

    /// The requests received for `path` (ignoring any query).
    public func requests(to path: String) -> [Request] {
        requests.filter { $0.path.split(separator: "?", maxSplits: 1).first.map(String.init) == path }
    }

    /// Cuts short pending delays and stops listening. Idempotent.
    public func stop() {
        script.state.withLock { $0.stopped = true }
        server.stop()
    }

    /// Waits until something accepts TCP connections on 127.0.0.1:`port`; false at the timeout.
    public static func waitForPort(_ port: Int, timeout: Duration = .seconds(10)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let fd = TestSockets.connect(port: port) {
                close(fd)
                return true
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    // MARK: - Serving

    private static func answer(_ incoming: HTTPServerRequest, script: Script) -> HTTPServerResponse {
        let request = Request(method: incoming.method, path: incoming.target, headers: incoming.headers, body: incoming.body)
        let response = script.state.withLock { current in
            current.received.append(request)
            return route(for: request, in: current.routes)
        }
        let deadline = ContinuousClock.now + response.delay
        while ContinuousClock.now < deadline, !script.state.withLock({ $0.stopped }) {
            Thread.sleep(forTimeInterval: 0.02)
        }
        let headers = response.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } + [("Connection", "close")]
        return HTTPServerResponse(status: response.status, headers: headers, body: response.body)
    }

    private static func route(for request: Request, in routes: [String: Response]) -> Response {
        let bare = request.path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.path
        for key in [routeKey(request.method, request.path), routeKey(nil, request.path),
                    routeKey(request.method, bare), routeKey(nil, bare)] {
            if let response = routes[key] { return response }
        }
        return Response(status: 404, body: "no scripted response for \(request.path)")
    }

    private static func routeKey(_ method: String?, _ path: String) -> String { "\(method ?? "*") \(path)" }
}
