/// One RESP2 reply from a Redis server.
public enum RESPValue: Sendable, Equatable {
    /// A status reply (`+OK`).
    case simple(String)
    /// An error reply (`-ERR ...`); `RESPClient.command` turns these into failures.
    case error(String)
    case integer(Int64)
    /// A bulk string; nil is the null bulk string (a missing key).
    case bulk([UInt8]?)
    /// An array; nil is the null array.
    case array([RESPValue]?)

    /// The text of a status or bulk reply (bulk bytes decoded as UTF-8, invalid bytes replaced).
    public var string: String? {
        switch self {
        case .simple(let text): return text
        case .bulk(let bytes?): return String(decoding: bytes, as: UTF8.self)
        default: return nil
        }
    }

    /// The bytes of a bulk reply, or a status reply's text as bytes.
    public var bytes: [UInt8]? {
        switch self {
        case .simple(let text): return Array(text.utf8)
        case .bulk(let bytes?): return bytes
        default: return nil
        }
    }

    /// The number of an integer reply, or of a bulk reply holding a decimal number.
    public var integer: Int64? {
        switch self {
        case .integer(let value): return value
        case .bulk(let bytes?): return Int64(String(decoding: bytes, as: UTF8.self))
        default: return nil
        }
    }

    /// The elements of a non-null array reply.
    public var elements: [RESPValue]? {
        if case .array(let items?) = self { return items }
        return nil
    }

    /// True for the null bulk string and the null array.
    public var isNull: Bool {
        switch self {
        case .bulk(nil), .array(nil): return true
        default: return false
        }
    }

    /// The message of an error reply.
    public var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }
}
