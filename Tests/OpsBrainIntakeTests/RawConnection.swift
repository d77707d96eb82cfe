import Foundation
import OpsBrainTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A TCP connection to 127.0.0.1 that sends raw bytes and reads HTTP/1.1 answers as they come.
///
/// For requests no well-behaved client would send: the bad-input corpus, slow clients, pipelining.
final class RawConnection {
    /// One answer: its status, lower-case headers and body.
    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
    }

    let fd: Int32
    private var buffer: [UInt8] = []
    private(set) var closedByPeer = false

    init(port: Int) throws {
        guard let fd = TestSockets.connect(port: port) else { throw POSIXError(.ECONNREFUSED) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Sends every byte (a peer that closes early ends the send quietly).
    func send(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { return }
            sent += count
        }
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// Closes our sending side, as a client does after its last byte.
    func finishSending() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads answers until `count` have arrived, the peer closes, or `timeout` passes.
    func answers(_ count: Int, timeout: Duration = .seconds(5)) -> [Answer] {
        let deadline = ContinuousClock.now + timeout
        var found: [Answer] = []
        while found.count < count {
            if let answer = nextBufferedAnswer() {
                found.append(answer)
                continue
            }
            guard !closedByPeer, receive(until: deadline) else { break }
        }
        return found
    }

    /// Waits up to `timeout` for the peer to close the connection; true when it did.
    func waitForClose(timeout: Duration = .seconds(5)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !closedByPeer, receive(until: deadline) {}
        return closedByPeer
    }

    /// One read with the time left; false when the deadline passed first.
    private func receive(until deadline: ContinuousClock.Instant) -> Bool {
        let left = ContinuousClock.now.duration(to: deadline)
        guard left > .zero else { return false }
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let millis = Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&entry, 1, max(1, millis)) > 0 else { return false }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = recv(fd, &chunk, chunk.count, 0)
        if count <= 0 { closedByPeer = true } else { buffer += chunk[..<count] }
        return true
    }

    /// Takes one whole answer off the front of the buffer (bodies by Content-Length).
    private func nextBufferedAnswer() -> Answer? {
        let separator = Array("\r\n\r\n".utf8)
        guard buffer.count >= 4, let end = (0...(buffer.count - 4)).first(where: { buffer[$0..<($0 + 4)].elementsEqual(separator) })
        else { return nil }
        let lines = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = headers["content-length"].flatMap(Int.init) ?? 0
        let bodyStart = end + 4
        guard buffer.count >= bodyStart + length else { return nil }
        let answer = Answer(status: status, headers: headers, body: Array(buffer[bodyStart..<(bodyStart + length)]))
        buffer.removeFirst(bodyStart + length)
        return answer
    }
}
