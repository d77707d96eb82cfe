import OpsBrainCore
import OpsBrainTestSupport
import XCTest

/// A small deterministic fuzz of the JSON reader: random values survive jsonText and back, and
/// random damage to valid texts is refused or read, never a crash.
final class JSONFuzzTests: XCTestCase {
    func testRandomValuesRoundTripThroughText() throws {
        var random = SeededRandom(seed: 0x5EED_0001)
        for round in 0..<1500 {
            let value = random.value(depth: 0)
            let text = value.jsonText
            let parsed = try JSONValue(parsing: text, maxDepth: 64)
            XCTAssertEqual(parsed, value, "round \(round): \(text)")
            XCTAssertEqual(parsed.jsonText, text, "round \(round)")
        }
    }

    func testRandomDamageIsRefusedOrReadNeverACrash() {
        var random = SeededRandom(seed: 0x5EED_0002)
        var refused = 0
        for _ in 0..<3000 {
            var bytes = Array(random.value(depth: 0).jsonText.utf8)
            for _ in 0...random.below(4) { random.damage(&bytes) }
            let text = String(decoding: bytes, as: UTF8.self)
            do {
                let value = try JSONValue(parsing: text)
                XCTAssertEqual(try JSONValue(parsing: value.jsonText), value, text.debugDescription)
            } catch {
                XCTAssertTrue(error is JSONParseError, "\(error)")
                refused += 1
            }
        }
        XCTAssertGreaterThan(refused, 1000, "the damage is real")
    }
}

/// Random JSON values and damage, from a seeded generator.
private extension SeededRandom {
    /// A random value: containers less likely the deeper it goes.
    mutating func value(depth: Int) -> JSONValue {
        switch below(depth > 4 ? 6 : 8) {
        case 0: return .null
        case 1: return .bool(below(2) == 0)
        case 2: return number()
        case 3: return .integer(Int64(bitPattern: next()))
        case 4, 5: return .string(string())
        case 6: return .array((0..<below(5)).map { _ in value(depth: depth + 1) })
        default: return .object(Dictionary((0..<below(5)).map { _ in (string(), value(depth: depth + 1)) }) { $1 })
        }
    }

    /// Small whole numbers, simple fractions and any finite double, from its bits.
    private mutating func number() -> JSONValue {
        switch below(3) {
        case 0: return .number(Double(below(2001) - 1000))
        case 1: return .number(Double(below(100_000)) / 64 - 700)
        default:
            let double = Double(bitPattern: next())
            return .number(double.isFinite ? double : 0)
        }
    }

    /// Text from ASCII, control characters, JSON's special characters, the BMP and beyond; never U+0000.
    private mutating func string() -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<below(12) {
            let pools: [ClosedRange<UInt32>] = [0x20...0x7E, 0x01...0x1F, 0x22...0x22, 0x5C...0x5C, 0xA0...0xD7FF, 0xE000...0xFFFD, 0x1F600...0x1F64F]
            let pool = pools[below(pools.count)]
            scalars.append(Unicode.Scalar(pool.lowerBound + UInt32(below(Int(pool.upperBound - pool.lowerBound) + 1)))!)
        }
        return String(scalars)
    }

    /// Replaces, inserts or deletes one byte, often one that matters to JSON.
    mutating func damage(_ bytes: inout [UInt8]) {
        let telling = Array(#"{}[],:"\-+.eE0u1 "#.utf8) + [0x00, 0x0B, 0xFF, 0xC3, 0xED]
        let byte = below(3) == 0 ? UInt8(truncatingIfNeeded: next()) : telling[below(telling.count)]
        let index = below(bytes.count + 1)
        switch below(3) {
        case 0 where index < bytes.count: bytes[index] = byte
        case 1 where index < bytes.count: bytes.remove(at: index)
        default: bytes.insert(byte, at: index)
        }
    }
}
