import OpsBrainCore

/// Decodes RESP2 replies from a socket, reading more bytes only when a reply is incomplete.
final class RESPReader {
    /// The largest bulk string Redis itself accepts (`proto-max-bulk-len`).
    static let maxBulkLength = 512 * 1024 * 1024
    /// Arrays deeper than this are refused (Redis replies nest a few levels at most).
    static let maxDepth = 16

    private let socket: TCPSocket
    private var buffer: [UInt8] = []
    private var position = 0

    init(socket: TCPSocket) {
        self.socket = socket
    }

    /// Reads one complete reply.
    func next(deadline: ContinuousClock.Instant) throws -> RESPValue {
        let value = try value(depth: 0, deadline: deadline)
        compact()
        return value
    }

    private func value(depth: Int, deadline: ContinuousClock.Instant) throws -> RESPValue {
        guard depth <= Self.maxDepth else { throw protocolError("replies nested too deeply") }
        let line = try readLine(deadline: deadline)
        guard let kind = line.first else { throw protocolError("empty reply line") }
        let text = String(decoding: line.dropFirst(), as: UTF8.self)
        switch kind {
        case UInt8(ascii: "+"): return .simple(text)
        case UInt8(ascii: "-"): return .error(text)
        case UInt8(ascii: ":"):
            guard let number = Int64(text) else { throw protocolError("bad integer reply") }
            return .integer(number)
        case UInt8(ascii: "$"):
            let length = try count(text, limit: Self.maxBulkLength)
            guard length >= 0 else { return .bulk(nil) }
            let bytes = try readBytes(length, deadline: deadline)
            guard try readBytes(2, deadline: deadline) == [13, 10] else { throw protocolError("bulk string not terminated") }
            return .bulk(bytes)
        case UInt8(ascii: "*"):
            let length = try count(text, limit: Int(Int32.max))
            guard length >= 0 else { return .array(nil) }
            var items: [RESPValue] = []
            items.reserveCapacity(min(length, 1024))
            for _ in 0..<length { items.append(try value(depth: depth + 1, deadline: deadline)) }
            return .array(items)
        default:
            throw protocolError("unexpected reply type byte \(kind)")
        }
    }

    /// A length field: -1 (null) or 0...limit.
    private func count(_ text: String, limit: Int) throws -> Int {
        guard let length = Int(text), length >= -1, length <= limit else { throw protocolError("bad length \(text)") }
        return length
    }

    /// The bytes up to the next CRLF (not included), consuming the CRLF.
    private func readLine(deadline: ContinuousClock.Instant) throws -> ArraySlice<UInt8> {
        var searchFrom = position
        while true {
            if let end = buffer[searchFrom...].firstIndex(of: 10) {
                guard end > position, buffer[end - 1] == 13 else { throw protocolError("line not ended by CRLF") }
                let line = buffer[position..<(end - 1)]
                position = end + 1
                return line
            }
            searchFrom = buffer.count
            guard buffer.count - position < 64 * 1024 else { throw protocolError("reply line too long") }
            try fill(deadline: deadline)
        }
    }

    private func readBytes(_ length: Int, deadline: ContinuousClock.Instant) throws -> [UInt8] {
        while buffer.count - position < length { try fill(deadline: deadline) }
        let bytes = Array(buffer[position..<(position + length)])
        position += length
        return bytes
    }

    private func fill(deadline: ContinuousClock.Instant) throws {
        buffer += try socket.read(upTo: 64 * 1024, deadline: deadline)
    }

    /// Drops consumed bytes once everything is consumed or much is, so the buffer stays small.
    private func compact() {
        guard position > 0, position == buffer.count || position > 1 << 20 else { return }
        buffer.removeFirst(position)
        position = 0
    }

    private func protocolError(_ what: String) -> StepFailure {
        StepFailure("redis \(socket.label): protocol error: \(what)")
    }
}
