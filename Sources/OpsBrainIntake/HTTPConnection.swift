import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Serves the requests of one client connection (keep-alive), with deadlines and size limits.
struct HTTPConnection {
    let socket: Int32
    let peer: String
    let limits: HTTPServer.Limits
    let handler: HTTPServer.Handler
    let logger: Logger
    private var buffer: [UInt8] = []

    init(socket: Int32, peer: String, limits: HTTPServer.Limits, handler: @escaping HTTPServer.Handler, logger: Logger) {
        self.socket = socket
        self.peer = peer
        self.limits = limits
        self.handler = handler
        self.logger = logger
    }

    enum Failure: Error {
        case closed
        case respond(HTTPServerResponse)
    }

    mutating func serve() {
        for served in 0..<1000 {
            do {
                let request = try readRequest(idle: served > 0)
                var response = handler(request)
                let keepAlive = request.headers["connection"]?.lowercased() != "close"
                response.headers.append(("Connection", keepAlive ? "keep-alive" : "close"))
                guard write(response), keepAlive else { return }
            } catch Failure.respond(var response) {
                response.headers.append(("Connection", "close"))
                _ = write(response)
                return
            } catch {
                return
            }
        }
    }

    private mutating func readRequest(idle: Bool) throws -> HTTPServerRequest {
        let headDeadline = ContinuousClock.now + (idle ? limits.idleTimeout : limits.readTimeout)
        var headEnd: Int?
        while headEnd == nil {
            headEnd = Self.find([13, 10, 13, 10], in: buffer)
            if headEnd != nil { break }
            if buffer.count > limits.maxHeaderBytes { throw Failure.respond(.error(431, "request head larger than \(limits.maxHeaderBytes) bytes")) }
            guard try fill(until: headDeadline, timeoutStatus: buffer.isEmpty && idle ? nil : 408) else { throw Failure.closed }
        }
        let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd! + 4)
        var request = try Self.parseHead(head, peer: peer)
        if request.headers["transfer-encoding"] != nil {
            throw Failure.respond(.error(411, "chunked bodies are not accepted; send Content-Length"))
        }
        let length = Int(request.headers["content-length"] ?? "0") ?? -1
        guard length >= 0 else { throw Failure.respond(.error(400, "bad Content-Length")) }
        guard length <= limits.maxBodyBytes else {
            throw Failure.respond(.error(413, "body of \(length) bytes is over the limit of \(limits.maxBodyBytes) bytes"))
        }
        let bodyDeadline = ContinuousClock.now + limits.readTimeout
        while buffer.count < length {
            guard try fill(until: bodyDeadline, timeoutStatus: 408) else { throw Failure.closed }
        }
        request.body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        return request
    }

    /// Reads more bytes; false when the client closed. A deadline passing answers `timeoutStatus`.
    private mutating func fill(until deadline: ContinuousClock.Instant, timeoutStatus: Int?) throws -> Bool {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else {
            if let timeoutStatus { throw Failure.respond(.error(timeoutStatus, "the request did not arrive in time")) }
            throw Failure.closed
        }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let millis = Int32(clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)
        let ready = poll(&descriptor, 1, max(1, millis))
        if ready == 0 { return try fill(until: deadline, timeoutStatus: timeoutStatus) }
        if ready < 0 { if errno == EINTR { return try fill(until: deadline, timeoutStatus: timeoutStatus) }; return false }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = recv(socket, &chunk, chunk.count, 0)
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    static func parseHead(_ head: String, peer: String) throws -> HTTPServerRequest {
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let parts = lines.first?.split(separator: " ") ?? []
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else { throw Failure.respond(.error(400, "malformed request line")) }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw Failure.respond(.error(400, "malformed header line")) }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let target = String(parts[1])
        let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
        var query: [String: String] = [:]
        if let queryText = target.split(separator: "?", maxSplits: 1).dropFirst().first {
            for pair in queryText.split(separator: "&") {
                let keyValue = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                query[keyValue[0]] = keyValue.count > 1 ? keyValue[1] : ""
            }
        }
        return HTTPServerRequest(method: String(parts[0]), path: path, query: query, headers: headers, peer: peer)
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        outer: for index in 0...(haystack.count - needle.count) where haystack[index] == needle[0] {
            for offset in 1..<needle.count where haystack[index + offset] != needle[offset] { continue outer }
            return index
        }
        return nil
    }

    private func write(_ response: HTTPServerResponse) -> Bool {
        var head = "HTTP/1.1 \(response.status) \(HTTPServerResponse.reason(response.status))\r\n"
        for (name, value) in response.headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(response.body.count)\r\n\r\n"
        let bytes = Array(head.utf8) + response.body
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { send(socket, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }
}
