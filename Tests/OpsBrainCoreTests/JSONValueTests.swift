import OpsBrainCore
import XCTest

/// The core JSON type: parsing, limits and stable serialization.
final class JSONValueTests: XCTestCase {
    func testRoundTripWithSortedKeys() throws {
        let value = try JSONValue(parsing: #"{"b": [1, 2.5, true, null], "a": "x\"y\n", "c": {"d": -3}}"#)
        XCTAssertEqual(value.jsonText, #"{"a":"x\"y\n","b":[1,2.5,true,null],"c":{"d":-3}}"#)
        XCTAssertEqual(try JSONValue(parsing: value.jsonText), value)
    }

    func testUnicodeEscapesAndSurrogatePairs() throws {
        XCTAssertEqual(try JSONValue(parsing: #""\u00e9\ud83d\ude00""#), .string("é😀"))
        XCTAssertEqual(try JSONValue(parsing: #""\uD834\uDD1E""#), .string("𝄞"))
    }

    func testMalformedTextIsRefusedWithAReason() {
        for text in [#"{"a": tru}"#, #"{"a": 1} x"#, #"{"a": 1"#] {
            XCTAssertThrowsError(try JSONValue(parsing: text), text) { error in
                XCTAssertTrue("\(error)".hasPrefix("invalid JSON"), "\(error)")
                XCTAssertNil((error as? JSONParseError)?.field)
            }
        }
    }

    func testDeepNestingIsRefusedNamingTheDepth() throws {
        func nested(_ count: Int) -> String { String(repeating: "[", count: count) + String(repeating: "]", count: count) }
        XCTAssertNoThrow(try JSONValue(parsing: nested(64)))
        XCTAssertThrowsError(try JSONValue(parsing: nested(65))) { error in
            XCTAssertEqual(error as? JSONParseError, JSONParseError(offset: 64, message: "nested deeper than 64 levels"))
        }
        XCTAssertThrowsError(try JSONValue(parsing: #"{"a": {"b": [1]}}"#, maxDepth: 2)) { error in
            XCTAssertEqual("\(error)", "invalid JSON at byte 12: nested deeper than 2 levels")
        }
        XCTAssertThrowsError(try JSONValue(parsing: nested(200_000)), "far deeper than Foundation's own limit, without a crash")
        XCTAssertNoThrow(try JSONValue(parsing: #"["[[[[", "{{{{"]"#, maxDepth: 1), "brackets inside strings do not count")
    }

    func testSeverityNormalization() {
        XCTAssertEqual(Severity.normalized("WARNING"), .medium)
        XCTAssertEqual(Severity.normalized("crit"), .critical)
        XCTAssertEqual(Severity.normalized("high"), .high)
        XCTAssertNil(Severity.normalized("purple"))
        XCTAssertLessThan(Severity.low, Severity.high)
    }
}
