import Foundation
import Logging
import OpsBrainCore
#if canImport(Glibc)
import Glibc
#endif

/// A small blocking HTTP/1.1 server: an accept thread and a fixed pool of worker threads.
///
/// Built for webhooks and an ops API on a trusted network: bodies are capped (413), slow
/// clients are cut at a deadline (408), only `Content-Length` bodies are read (411 otherwise),
/// and a bad request never stops the server.
public final class HTTPServer: @unchecked Sendable {
    public struct Limits: Sendable {
        public var maxBodyBytes = 1 << 20
        public var maxHeaderBytes = 16 * 1024
        public var readTimeout: Duration = .seconds(10)
        public var idleTimeout: Duration = .seconds(15)
        public var workers = 16

        public init() {}
    }

    public typealias Handler = @Sendable (HTTPServerRequest) -> HTTPServerResponse

    private let host: String
    private let requestedPort: Int
    private let limits: Limits
    private let handler: Handler
    private let logger = Logger(label: "opsbrain.http")
    private var listener: Int32 = -1
    private let queue = ConnectionQueue()
    private let state = NSLock()
    private var stopped = false
    /// The port actually bound (useful with port 0).
    public private(set) var port = 0

    public init(host: String, port: Int, limits: Limits = Limits(), handler: @escaping Handler) {
        self.host = host
        self.requestedPort = port
        self.limits = limits
        self.handler = handler
    }

    /// Binds and starts serving on background threads.
    public func start() throws {
        listener = try Self.bind(host: host, port: requestedPort)
        port = try Self.boundPort(listener)
        for _ in 0..<limits.workers {
            Thread { [self] in self.workerLoop() }.start()
        }
        Thread { [self] in self.acceptLoop() }.start()
        logger.info("listening", metadata: ["address": "\(host):\(port)"])
    }

    /// Stops accepting and lets the workers finish.
    public func stop() {
        state.withLock { stopped = true }
        if listener >= 0 { shutdown(listener, Int32(SHUT_RDWR)); close(listener); listener = -1 }
        queue.close()
    }

    private var isStopped: Bool { state.withLock { stopped } }

    private func acceptLoop() {
        while !isStopped {
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listener, $0, &length) }
            }
            if client < 0 {
                if errno == EINTR { continue }
                if isStopped { return }
                Thread.sleep(forTimeInterval: 0.05)
                continue
            }
            var noDelay: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
            queue.push((client, Self.describe(address)))
        }
    }

    private func workerLoop() {
        while let (client, peer) = queue.pop() {
            var connection = HTTPConnection(socket: client, peer: peer, limits: limits, handler: handler, logger: logger)
            connection.serve()
            close(client)
        }
    }

    // MARK: Sockets

    static func bind(host: String, port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw StepFailure("cannot create a socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host == "localhost" ? "127.0.0.1" : host, &address.sin_addr) == 1 else {
            close(fd)
            throw StepFailure("listen address '\(host)' is not an IPv4 address")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw StepFailure("cannot listen on \(host):\(port): \(message)")
        }
        return fd
    }

    static func boundPort(_ fd: Int32) throws -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let status = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard status == 0 else { throw StepFailure("cannot read the bound port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func describe(_ storage: sockaddr_storage) -> String {
        var copy = storage
        guard copy.ss_family == sa_family_t(AF_INET) else { return "unknown" }
        return withUnsafePointer(to: &copy) {
            $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                var address = pointer.pointee.sin_addr
                var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
                inet_ntop(AF_INET, &address, &text, socklen_t(INET_ADDRSTRLEN))
                return String(cString: text)
            }
        }
    }
}

/// Accepted sockets waiting for a worker.
final class ConnectionQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [(Int32, String)] = []
    private var closed = false

    func push(_ item: (Int32, String)) {
        condition.withLock {
            items.append(item)
            condition.signal()
        }
    }

    /// The next socket, or nil once closed.
    func pop() -> (Int32, String)? {
        condition.withLock {
            while items.isEmpty && !closed { condition.wait() }
            return items.isEmpty ? nil : items.removeFirst()
        }
    }

    func close() {
        condition.withLock {
            closed = true
            condition.broadcast()
        }
    }
}
