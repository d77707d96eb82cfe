/// The checks Foundation's JSON reader leaves out, made in one pass over the bytes before it runs.
///
/// `JSONSerialization` (swift-corelibs-foundation) accepts a trailing comma (`[1,]`, `{"a":1,}`); a
/// text holding raw NUL bytes makes it guess UTF-16 or UTF-32 (`1\0\0\0` reads as `1`); and it hands
/// back a whole number too long for 64 bits as a decimal that no longer tells whether it was written as
/// an integer. This scan refuses those, and nesting deeper than the limit before Foundation recurses
/// into it. String contents are Foundation's to check; the scan only finds where each string ends.
struct JSONStrictScan {
    private let bytes: [UInt8]
    private let maxDepth: Int
    private var depth = 0
    private var inString = false
    private var escaped = false
    /// The last byte outside strings that is not whitespace.
    private var previous: UInt8 = 0
    /// Where the number being read starts, and whether it is still plain digits after an optional `-`.
    private var number: (start: Int, isInteger: Bool)?

    /// Refuses `bytes` when they break a rule Foundation does not enforce.
    static func check(_ bytes: [UInt8], maxDepth: Int) throws(JSONParseError) {
        var scan = JSONStrictScan(bytes: bytes, maxDepth: maxDepth)
        for offset in bytes.indices { try scan.step(at: offset) }
        try scan.endNumber(at: bytes.count)
    }

    private init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    private mutating func step(at offset: Int) throws(JSONParseError) {
        let byte = bytes[offset]
        if byte == 0 { throw JSONParseError(offset: offset, message: "a raw NUL byte (U+0000)") }
        if inString {
            if escaped { escaped = false } else if byte == .backslash { escaped = true } else if byte == .quote { inString = false }
            return
        }
        if continueNumber(with: byte) { return }
        try endNumber(at: offset)
        switch byte {
        case .space, .tab, .lineFeed, .carriageReturn: return
        case .quote: inString = true
        case .minus, .zero ... .nine: number = (offset, true)
        case .openBracket, .openBrace:
            depth += 1
            if depth > maxDepth { throw JSONParseError(offset: offset, message: "nested deeper than \(maxDepth) levels") }
        case .closeBracket, .closeBrace:
            if previous == .comma { throw JSONParseError(offset: offset, message: "a trailing comma before '\(Unicode.Scalar(byte))'") }
            depth -= 1
        default: break
        }
        previous = byte
    }

    /// Takes `byte` into the number being read, when there is one and `byte` can belong to it.
    private mutating func continueNumber(with byte: UInt8) -> Bool {
        guard let current = number else { return false }
        switch byte {
        case .zero ... .nine: return true
        case .dot, .lowerE, .upperE, .plus, .minus:
            number = (current.start, false)
            return true
        default: return false
        }
    }

    /// Ends the number being read, refusing an integer outside the signed 64-bit range.
    private mutating func endNumber(at end: Int) throws(JSONParseError) {
        guard let current = number else { return }
        number = nil
        let token = bytes[current.start..<end]
        guard current.isInteger, !Self.fitsInt64(token) else { return }
        throw JSONParseError(offset: current.start, message:
            "the whole number \(String(decoding: token, as: UTF8.self)) is outside the signed 64-bit range; it cannot be kept exactly")
    }

    /// Whether an integer token (an optional `-`, then digits) fits `Int64`; a leading zero is Foundation's to refuse.
    private static func fitsInt64(_ token: ArraySlice<UInt8>) -> Bool {
        let negative = token.first == .minus
        let digits = token.dropFirst(negative ? 1 : 0)
        guard digits.first != .zero, digits.count >= 19 else { return true }
        let limit = (negative ? "9223372036854775808" : "9223372036854775807").utf8
        return digits.count == 19 && !limit.lexicographicallyPrecedes(digits)
    }
}

private extension UInt8 {
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let comma = UInt8(ascii: ",")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let minus = UInt8(ascii: "-")
    static let plus = UInt8(ascii: "+")
    static let dot = UInt8(ascii: ".")
    static let lowerE = UInt8(ascii: "e")
    static let upperE = UInt8(ascii: "E")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")
}
