import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny real HTTP/1.1 server for tests, on 127.0.0.1 and a random free port.
///
/// Answers with scripted responses by path (optionally by method, optionally after a delay),
/// records every request it receives, and closes each connection after one answer.
/// One background thread accepts; each connection is served on its own thread.
public final class LocalHTTPServer: @unchecked Sendable {
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

    private let listener: Int32
    private let lock = NSLock()
    private var routes: [String: Response] = [:]
    private var received: [Request] = []
    private var stopped = false
    private let acceptLoopDone = DispatchSemaphore(value: 0)

    /// Starts listening at once; unscripted paths answer 404.
    public init() throws {
        let (socket, port) = try Self.bindLoopback()
        guard listen(socket, 64) == 0 else {
            close(socket)
            throw ServerError("listen: \(String(cString: strerror(errno)))")
        }
        listener = socket
        self.port = port
        Thread { [self] in acceptLoop() }.start()
    }

    /// Answers requests for `path` (exact, with query; or without one) with `response`,
    /// for any method unless `method` is given.
    public func respond(to path: String, method: String? = nil, with response: Response) {
        lock.withLock { routes[Self.routeKey(method, path)] = response }
    }

    /// Every request received so far, oldest first.
    public var requests: [Request] { lock.withLock { received } }

    /// The requests received for `path` (ignoring any query).
    public func requests(to path: String) -> [Request] {
        requests.filter { $0.path.split(separator: "?", maxSplits: 1).first.map(String.init) == path }
    }

    /// Stops accepting, cuts short pending delays, and closes the listening socket. Idempotent.
    public func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        acceptLoopDone.wait()
        close(listener)
    }

    /// Waits until something accepts TCP connections on 127.0.0.1:`port`; false at the timeout.
    public static func waitForPort(_ port: Int, timeout: Duration = .seconds(10)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = loopback(port: port)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if connected == 0 { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    // MARK: - Serving

    private var isStopped: Bool { lock.withLock { stopped } }

    private func acceptLoop() {
        defer { acceptLoopDone.signal() }
        while !isStopped {
            var entry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 50) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            Thread { [self] in serve(client) }.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let request = readRequest(client) else { return }
        let response = lock.withLock {
            received.append(request)
            return route(for: request)
        }
        sleep(for: response.delay)
        guard !isStopped else { return }
        write(response, to: client, headOnly: request.method == "HEAD")
    }

    private func route(for request: Request) -> Response {
        let bare = request.path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.path
        for key in [Self.routeKey(request.method, request.path), Self.routeKey(nil, request.path),
                    Self.routeKey(request.method, bare), Self.routeKey(nil, bare)] {
            if let response = routes[key] { return response }
        }
        return Response(status: 404, body: "no scripted response for \(request.path)")
    }

    /// Sleeps in short steps so that `stop()` is not held up by a long scripted delay.
    private func sleep(for delay: Duration) {
        let deadline = ContinuousClock.now + delay
        while ContinuousClock.now < deadline, !isStopped {
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    private func readRequest(_ client: Int32) -> Request? {
        var data: [UInt8] = []
        let separator = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            guard let chunk = receive(client), data.count < 1 << 20 else { return nil }
            data += chunk
            headEnd = Self.find(separator, in: data)
        }
        let head = String(decoding: data[..<headEnd!], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = head[0].split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(data[(headEnd! + separator.count)...])
        let length = headers["content-length"].flatMap { Int($0) } ?? 0
        while body.count < length {
            guard let chunk = receive(client) else { return nil }
            body += chunk
        }
        return Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: body)
    }

    private func receive(_ client: Int32) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = recv(client, &buffer, buffer.count, 0)
        return count > 0 ? Array(buffer[..<count]) : nil
    }

    private func write(_ response: Response, to client: Int32, headOnly: Bool) {
        var head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
        head += "Content-Length: \(response.body.count)\r\nConnection: close\r\n"
        for (name, value) in response.headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        let bytes = Array((head + "\r\n").utf8) + (headOnly ? [] : response.body)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return }
            sent += count
        }
    }

    // MARK: - Helpers

    private static func routeKey(_ method: String?, _ path: String) -> String { "\(method ?? "*") \(path)" }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 201: return "Created"
        case 204: return "No Content"
        case 302: return "Found"
        case 400: return "Bad Request"
        case 404: return "Not Found"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// A socket bound to 127.0.0.1 and a port the kernel picked.
    private static func bindLoopback() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket: \(String(cString: strerror(errno)))") }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw ServerError("bind 127.0.0.1:0: \(String(cString: strerror(errno)))")
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Why the server could not start.
    public struct ServerError: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
