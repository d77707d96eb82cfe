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
    }

    func testErrorsNameTheOffset() {
        XCTAssertThrowsError(try JSONValue(parsing: #"{"a": tru}"#)) { error in
            XCTAssertEqual((error as? JSONParseError)?.offset, 6)
        }
        XCTAssertThrowsError(try JSONValue(parsing: #"{"a": 1} x"#))
        XCTAssertThrowsError(try JSONValue(parsing: #"{"a": 1"#))
    }

    func testDeepNestingIsRefused() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        XCTAssertThrowsError(try JSONValue(parsing: deep)) { error in
            XCTAssertTrue("\(error)".contains("nested deeper"), "\(error)")
        }
    }

    func testSeverityNormalization() {
        XCTAssertEqual(Severity.normalized("WARNING"), .medium)
        XCTAssertEqual(Severity.normalized("crit"), .critical)
        XCTAssertEqual(Severity.normalized("high"), .high)
        XCTAssertNil(Severity.normalized("purple"))
        XCTAssertLessThan(Severity.low, Severity.high)
    }
}
