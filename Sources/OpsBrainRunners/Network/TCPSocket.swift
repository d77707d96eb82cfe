import OpsBrainCore
#if canImport(Glibc)
import Glibc
#endif

/// A blocking IPv4/IPv6 TCP client connection whose every operation is bounded by a deadline.
///
/// The descriptor is non-blocking underneath; waits go through `poll`, so a silent peer never
/// holds the caller past its deadline. Not thread-safe: use one socket from one thread.
public final class TCPSocket {
    /// The host as given (a name or an address).
    public let host: String
    public let port: Int
    private var descriptor: Int32

    private init(host: String, port: Int, descriptor: Int32) {
        self.host = host
        self.port = port
        self.descriptor = descriptor
    }

    deinit { close() }

    /// `host:port` for messages (IPv6 addresses in brackets).
    public static func label(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// `host:port` of this connection, for messages.
    public var label: String { Self.label(host: host, port: port) }

    /// Resolves `host` and connects to the first of its addresses that accepts before `deadline`.
    public static func connect(host: String, port: Int, deadline: ContinuousClock.Instant) throws -> TCPSocket {
        let endpoint = label(host: host, port: port)
        guard (1...65535).contains(port) else { throw StepFailure("cannot connect to \(endpoint): invalid port") }
        var lastError = StepFailure("cannot connect to \(endpoint): no addresses")
        for address in try HostResolver.resolve(host: host, port: port, deadline: deadline) {
            do {
                let fd = try attempt(address, label: endpoint, deadline: deadline)
                return TCPSocket(host: host, port: port, descriptor: fd)
            } catch let failure as StepFailure {
                lastError = failure
            }
            if ContinuousClock.now >= deadline { break }
        }
        throw lastError
    }

    /// Opens a non-blocking socket for one resolved address and waits for the connection.
    private static func attempt(_ address: SocketAddress, label: String, deadline: ContinuousClock.Instant) throws -> Int32 {
        let fd = socket(address.family, address.socketType | Int32(SOCK_CLOEXEC.rawValue), address.protocolNumber)
        guard fd >= 0 else { throw StepFailure("cannot connect to \(label): socket: \(errnoText())") }
        do {
            guard fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0 else {
                throw StepFailure("cannot connect to \(label): fcntl: \(errnoText())")
            }
            let status = address.storage.withUnsafeBytes { raw in
                Glibc.connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
            }
            if status != 0 {
                guard errno == EINPROGRESS else { throw StepFailure("cannot connect to \(label): \(errnoText())") }
                guard try wait(fd, for: Int16(POLLOUT), deadline: deadline) else {
                    throw StepFailure("timed out connecting to \(label)")
                }
                var pending: Int32 = 0
                var size = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &pending, &size)
                guard pending == 0 else {
                    throw StepFailure("cannot connect to \(label): \(String(cString: strerror(pending)))")
                }
            }
            return fd
        } catch {
            Glibc.close(fd)
            throw error
        }
    }

    /// Sends all of `bytes`, failing when the peer does not take them before `deadline`.
    public func write(_ bytes: [UInt8], deadline: ContinuousClock.Instant) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer in
                send(descriptor, buffer.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                offset += sent
            } else if sent < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR {
                guard try Self.wait(descriptor, for: Int16(POLLOUT), deadline: deadline) else {
                    throw StepFailure("timed out writing to \(label)")
                }
            } else {
                throw StepFailure("cannot write to \(label): \(Self.errnoText())")
            }
        }
    }

    /// Reads at least one and at most `limit` bytes; fails at end of stream or past `deadline`.
    public func read(upTo limit: Int, deadline: ContinuousClock.Instant) throws -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: limit)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, limit, 0) }
            if count > 0 { return Array(chunk[..<count]) }
            if count == 0 { throw StepFailure("connection to \(label) closed by the peer") }
            guard errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR else {
                throw StepFailure("cannot read from \(label): \(Self.errnoText())")
            }
            guard try Self.wait(descriptor, for: Int16(POLLIN), deadline: deadline) else {
                throw StepFailure("timed out reading from \(label)")
            }
        }
    }

    /// Closes the connection; later calls fail, a second close does nothing.
    public func close() {
        guard descriptor >= 0 else { return }
        Glibc.close(descriptor)
        descriptor = -1
    }

    /// Waits until `fd` is ready for `events`; false when `deadline` passes first.
    private static func wait(_ fd: Int32, for events: Int16, deadline: ContinuousClock.Instant) throws -> Bool {
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return false }
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&entry, 1, Self.milliseconds(remaining))
            if ready > 0 { return true }
            if ready < 0, errno != EINTR { throw StepFailure("poll: \(errnoText())") }
        }
    }

    /// Whole milliseconds in `duration`, rounded up so short waits still wait.
    private static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let millis = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: max(1, millis))
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
