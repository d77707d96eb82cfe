import Foundation

/// Why a JSON text could not be read: where the text goes wrong, or which value cannot be kept.
public struct JSONParseError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The byte offset of the problem, when the scan before Foundation's reader found it
    /// (Foundation's own messages say "around character N" themselves).
    public var offset: Int?
    /// The path of a well-formed value that cannot be kept (like `alerts[0].labels.summary`).
    public var field: String?
    public var message: String

    public init(offset: Int? = nil, field: String? = nil, message: String) {
        self.offset = offset
        self.field = field
        self.message = message
    }

    public var description: String {
        if let offset { return "invalid JSON at byte \(offset): \(message)" }
        return field == nil ? "invalid JSON: \(message)" : message
    }
}

extension JSONValue {
    /// Parses JSON text, strictly as RFC 8259 has it, refusing nesting deeper than `maxDepth`.
    ///
    /// Besides malformed text it refuses what cannot be kept: a string or key holding U+0000
    /// (PostgreSQL text cannot store it) and an integer outside the signed 64-bit range, which a
    /// `Double` would round. Integers within it are exact (`.integer` beyond ±2^53); numbers written
    /// with a fraction or an exponent are the nearest `Double`. A lone
    /// surrogate escape (`"\ud83d"`) is refused, not replaced; a leading UTF-8 byte order mark is
    /// ignored, as RFC 8259 §8.1 allows. Each error is a `JSONParseError`.
    public init(parsing text: String, maxDepth: Int = 64) throws {
        self = try JSONParser.parse(text, maxDepth: maxDepth)
    }
}

/// Reads JSON with Foundation's `JSONSerialization` into `JSONValue`, after `JSONStrictScan`.
enum JSONParser {
    static func parse(_ text: String, maxDepth: Int) throws(JSONParseError) -> JSONValue {
        let bytes = Array(text.utf8)
        try JSONStrictScan.check(bytes, maxDepth: maxDepth)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed)
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
            throw JSONParseError(message: reason ?? "\(error)")
        }
        do {
            return try value(of: object)
        } catch {
            throw error.parseError
        }
    }

    /// One object from Foundation as a `JSONValue`; a problem learns its path on the way up.
    private static func value(of object: Any) throws(JSONFieldProblem) -> JSONValue {
        switch object {
        case let text as String:
            guard !text.utf8.contains(0) else { throw JSONFieldProblem(.nulInString) }
            return .string(text)
        case let fields as [String: Any]:
            var values = [String: JSONValue](minimumCapacity: fields.count)
            for (key, field) in fields {
                guard !key.utf8.contains(0) else { throw JSONFieldProblem(.nulInKey, at: .key(key)) }
                do { values[key] = try value(of: field) } catch { throw error.inside(.key(key)) }
            }
            return .object(values)
        case let items as [Any]:
            var values: [JSONValue] = []
            values.reserveCapacity(items.count)
            for (index, item) in items.enumerated() {
                do { values.append(try value(of: item)) } catch { throw error.inside(.index(index)) }
            }
            return .array(values)
        case let number as NSNumber: return value(of: number)
        default: return .null
        }
    }

    /// A number or boolean, by the type Foundation stored it as.
    ///
    /// Booleans are `c`, doubles `d`, whole numbers `q`/`i` and the like, or `Q` past `Int64.max`. Long
    /// numbers are an `NSDecimalNumber`, whose `doubleValue` is not correctly rounded: those (and `Q`)
    /// are read from their plain digits instead.
    private static func value(of number: NSNumber) -> JSONValue {
        switch UInt8(bitPattern: number.objCType.pointee) {
        case UInt8(ascii: "c"): return .bool(number.boolValue)
        case UInt8(ascii: "d") where !(number is NSDecimalNumber): return .number(number.doubleValue)
        case UInt8(ascii: "d"), UInt8(ascii: "Q"): return value(ofDigits: number.stringValue, number)
        default: return .whole(number.int64Value)
        }
    }

    /// Plain digits: a whole number that fits 64 bits exactly, anything else as the nearest `Double`.
    /// (An integer written beyond 64 bits never gets here: `JSONStrictScan` refuses it. What does was
    /// written with a fraction or an exponent.)
    private static func value(ofDigits digits: String, _ number: NSNumber) -> JSONValue {
        if let whole = Int64(digits) { return .whole(whole) }
        return .number(Double(digits) ?? number.doubleValue)
    }
}

extension JSONValue {
    /// A whole number as the parser keeps it: `.number` while a `Double` holds it exactly, `.integer` beyond.
    static func whole(_ value: Int64) -> JSONValue {
        value.magnitude <= 1 << 53 ? .number(Double(value)) : .integer(value)
    }
}
