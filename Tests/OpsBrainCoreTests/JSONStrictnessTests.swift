import OpsBrainCore
import XCTest

/// JSON is read strictly as RFC 8259 has it: what it forbids is refused, its edge cases are read right,
/// integers stay exact, and strings PostgreSQL cannot store are refused naming their field.
final class JSONStrictnessTests: XCTestCase {
    func testInputsRFC8259ForbidsAreRefused() {
        let seen = ["+1", "01", ".5", "1.", #""\u+041""#]
        let numbers = ["-", "--1", "-01", "[01]", "1.e5", "1e", "1e+", "0x10", "NaN", "Infinity", "-Infinity", "1e400", "1 2"]
        let strings = [#""\x41""#, "\"a\tb\"", #""\u00G0""#, #""\u 041""#, #""\u-041""#, #""\u0x41""#, "'a'", #""abc"#, #""\""#]
        let structure = ["[1,]", #"{"a":1,}"#, "[1 , ]", "[1,,2]", "[,]", "{,}", "[,1]", "{1:2}", #"{"a" 1}"#, "[1 2]",
                         "[1]]", #"{"a":1}}"#, "[", "{", "", " ", "tru", "nul", "True", "//c\n1", "[1]/*x*/"]
        let bytes = ["1\0\0\0", "[\0\"\0\"\0]\0", "\0", "\u{0C}1", "\u{0B}1", "\u{A0}1", "1\u{2028}", "\u{FEFF}\u{FEFF}[1]", "[1]\u{FEFF}"]
        for text in seen + numbers + strings + structure + bytes {
            XCTAssertThrowsError(try JSONValue(parsing: text), text.debugDescription) { error in
                XCTAssertTrue(error is JSONParseError, "\(error)")
            }
        }
    }

    func testTrailingCommasNameTheirPlace() {
        XCTAssertThrowsError(try JSONValue(parsing: #"{"a": [1, 2,]}"#)) { error in
            XCTAssertEqual("\(error)", "invalid JSON at byte 12: a trailing comma before ']'")
        }
        XCTAssertNoThrow(try JSONValue(parsing: #"{"a": ",]", "b": ",}"}"#), "commas inside strings are text")
    }

    func testEdgeCasesRFC8259AllowsAreRead() throws {
        let cases: [(String, JSONValue)] = [
            ("-0", .number(0)), ("0", .number(0)), ("-0.0", .number(-0.0)), ("0.0", .number(0)),
            ("1e5", .number(100_000)), ("1E+2", .number(100)), ("1E-2", .number(0.01)), ("2.5e-3", .number(0.0025)),
            ("1e05", .number(100_000)), ("-1.5", .number(-1.5)), ("0.30000000000000004", .number(0.30000000000000004)),
            ("1234567.0000000000000000001", .number(1234567)), ("12345678901234567.5", .number(12345678901234567.5)),
            ("1.7976931348623157e308", .number(.greatestFiniteMagnitude)), ("5e-324", .number(.leastNonzeroMagnitude)),
            (#""\ud83d\ude00""#, .string("😀")), (#""\u00e9""#, .string("é")), (#""\/""#, .string("/")),
            (#""\b\f\n\r\t\"\\""#, .string("\u{08}\u{0C}\n\r\t\"\\")), ("\"\u{7F}\u{FEFF}\"", .string("\u{7F}\u{FEFF}")),
            (" \t\n\r[ ]\r\n", .array([])), ("{}", .object([:])), (#""""#, .string("")),
            ("true", .bool(true)), ("false", .bool(false)), ("null", .null),
            ("[true, 1, 0, false]", .array([.bool(true), .number(1), .number(0), .bool(false)])),
            (#"{"a": 1, "a": 2}"#, .object(["a": .number(2)])),
            ("\u{FEFF}[1]", .array([.number(1)])),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(try JSONValue(parsing: text), expected, text)
        }
    }

    /// Lone surrogates are refused rather than replaced with U+FFFD: the sender's text is broken, and
    /// a replacement would store something it never sent.
    func testLoneSurrogatesAreRefused() {
        for text in [#""\ud83d""#, #""\ude00x""#, #""\ud83dx""#, #""\ud83d\u0041""#, #""\ude00\ud83d""#] {
            XCTAssertThrowsError(try JSONValue(parsing: text), text)
        }
    }

    func testBigIntegersStayExact() throws {
        let big = try JSONValue(parsing: "9007199254740993")
        XCTAssertEqual(big, .integer(9_007_199_254_740_993))
        XCTAssertEqual(big.jsonText, "9007199254740993")
        XCTAssertNotEqual(big, .number(9_007_199_254_740_992))
        for text in ["-9007199254740993", "9223372036854775807", "-9223372036854775808", "123456789012345678"] {
            XCTAssertEqual(try JSONValue(parsing: text).jsonText, text)
        }
        let nested = try JSONValue(parsing: #"{"ids": [9007199254740992, 9007199254740993], "n": 42}"#)
        XCTAssertEqual(nested.jsonText, #"{"ids":[9007199254740992,9007199254740993],"n":42}"#)
        guard case .number = nested["n"] else { return XCTFail("small integers stay .number: \(nested)") }
    }

    func testIntegersBeyond64BitsAreRefusedNotRounded() {
        for text in ["9223372036854775808", "18446744073709551615", "-9223372036854775809", "123456789012345678901234567890"] {
            XCTAssertThrowsError(try JSONValue(parsing: #"{"id": \#(text)}"#), text) { error in
                XCTAssertEqual(error as? JSONParseError, JSONParseError(offset: 7, message:
                    "the whole number \(text) is outside the signed 64-bit range; it cannot be kept exactly"))
            }
        }
        XCTAssertEqual(try JSONValue(parsing: "1e19"), .number(1e19), "an exponent asks for a double")
        XCTAssertEqual(try JSONValue(parsing: "123456789012345678901234567890.5"), .number(123456789012345678901234567890.5))
    }

    func testIntegerEqualsTheSameNumber() {
        XCTAssertEqual(JSONValue.integer(5), .number(5))
        XCTAssertEqual(Set([JSONValue.integer(5), .number(5), .number(5.5)]).count, 2)
        XCTAssertEqual(JSONValue.integer(5).hashValue, JSONValue.number(5).hashValue)
        XCTAssertNotEqual(JSONValue.integer(1), .bool(true))
        XCTAssertTrue(JSONValue.integer(7).isNumber)
        XCTAssertEqual(JSONValue.integer(9_007_199_254_740_993).doubleValue, 9_007_199_254_740_992)
    }

    func testNULInAValueNamesItsField() {
        let payload = #"{"alerts": [{"labels": {"summary": "disk full\u0000 on db-1"}}]}"#
        XCTAssertThrowsError(try JSONValue(parsing: payload)) { error in
            XCTAssertEqual(error as? JSONParseError, JSONParseError(field: "alerts[0].labels.summary", message:
                #"alerts[0].labels.summary contains a NUL character (\u0000), which PostgreSQL text cannot store"#))
        }
        XCTAssertThrowsError(try JSONValue(parsing: #"{"odd key": [1, "\u0000"]}"#)) { error in
            XCTAssertEqual((error as? JSONParseError)?.field, #"["odd key"][1]"#)
        }
        XCTAssertThrowsError(try JSONValue(parsing: #""\u0000""#)) { error in
            XCTAssertEqual("\(error)", #"the document contains a NUL character (\u0000), which PostgreSQL text cannot store"#)
        }
    }

    func testNULInAKeyNamesItsField() {
        XCTAssertThrowsError(try JSONValue(parsing: #"{"alerts": [{"labels": {"sum\u0000mary": "x"}}]}"#)) { error in
            XCTAssertEqual((error as? JSONParseError)?.field, #"alerts[0].labels["sum\u0000mary"]"#)
            XCTAssertEqual("\(error)", #"the key alerts[0].labels["sum\u0000mary"] contains a NUL character (\u0000), which PostgreSQL text cannot store"#)
        }
    }

    func testRawNULBytesAreRefusedWithTheirOffset() {
        XCTAssertThrowsError(try JSONValue(parsing: "[\"a\0b\"]")) { error in
            XCTAssertEqual(error as? JSONParseError, JSONParseError(offset: 3, message: "a raw NUL byte (U+0000)"))
        }
    }
}
