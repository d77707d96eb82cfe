import Foundation
import OpsBrainCore
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The RESP2 client against a real redis-server: commands, binary safety, SCAN, errors, deadlines.
final class RESPClientTests: RedisServerTestCase {
    func testPingAndSimpleCommands() throws {
        let client = try server.client()
        XCTAssertEqual(try client.command(["PING"]), .simple("PONG"))
        XCTAssertEqual(try client.command(["SET", "a", "1"]), .simple("OK"))
        XCTAssertEqual(try client.command(["INCR", "a"]), .integer(2))
        XCTAssertEqual(try client.command(["GET", "a"]).string, "2")
        XCTAssertEqual(try client.command(["GET", "missing"]), .bulk(nil))
        XCTAssertEqual(try client.command(["MGET", "a", "missing"]), .array([.bulk(Array("2".utf8)), .bulk(nil)]))
    }

    func testBinarySafeValuesAndDump() throws {
        let client = try server.client()
        let bytes = (0...255).map(UInt8.init) + [13, 10, 13, 10]
        let key: [UInt8] = [0xff, 0x00, 0x0d, 0x0a]
        try client.command(bytes: [Array("SET".utf8), key, bytes])
        XCTAssertEqual(try client.command(bytes: [Array("GET".utf8), key]).bytes, bytes)
        let dump = try XCTUnwrap(client.command(bytes: [Array("DUMP".utf8), key]).bytes)
        XCTAssertNil(String(validating: dump, as: UTF8.self), "a DUMP payload is binary")
        try client.command(bytes: [Array("RESTORE".utf8), Array("copy".utf8), Array("0".utf8), dump])
        XCTAssertEqual(try client.command(["GET", "copy"]).bytes, bytes)
    }

    func testLargeValueRoundTrip() throws {
        let client = try server.client()
        let big = [UInt8]((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try client.command(bytes: [Array("SET".utf8), Array("big".utf8), big])
        XCTAssertEqual(try client.command(["GET", "big"]).bytes, big)
    }

    func testPipelineReturnsRepliesInOrderWithErrorsAsValues() throws {
        let client = try server.client()
        try client.command(["HSET", "h", "f", "v"])
        let replies = try client.pipeline([[Array("PING".utf8)], [Array("GET".utf8), Array("h".utf8)], [Array("ECHO".utf8), Array("x".utf8)]])
        XCTAssertEqual(replies.count, 3)
        XCTAssertEqual(replies[0], .simple("PONG"))
        XCTAssertTrue(replies[1].errorMessage?.hasPrefix("WRONGTYPE") == true)
        XCTAssertEqual(replies[2].string, "x")
    }

    func testErrorReplyThrowsNamingServerAndCommand() throws {
        let client = try server.client()
        try client.command(["HSET", "h", "f", "v"])
        XCTAssertThrowsError(try client.command(["GET", "h"])) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("127.0.0.1:\(server.port)"), message)
            XCTAssertTrue(message.contains("GET: WRONGTYPE"), message)
        }
        XCTAssertEqual(try client.command(["PING"]).string, "PONG", "the connection stays usable after an error reply")
    }

    func testScanFindsMatchingKeysAndHonoursLimit() throws {
        let client = try server.client()
        for index in 0..<250 { try client.command(["SET", "scan:\(index)", "v"]) }
        for index in 0..<20 { try client.command(["SET", "other:\(index)", "v"]) }
        let all = try client.scan(match: "scan:*", count: 50, limit: 10_000)
        XCTAssertEqual(all.keys.count, 250)
        XCTAssertEqual(Set(all.keys).count, 250)
        XCTAssertTrue(all.complete)
        XCTAssertTrue(all.keys.allSatisfy { $0.starts(with: Array("scan:".utf8)) })
        let some = try client.scan(match: "scan:*", count: 50, limit: 30)
        XCTAssertEqual(some.keys.count, 30)
        XCTAssertFalse(some.complete)
    }

    func testSelectsDatabaseFromURL() throws {
        let db3 = try server.client(database: 3)
        try db3.command(["SET", "where", "three"])
        XCTAssertEqual(try server.client().command(["GET", "where"]), .bulk(nil))
        XCTAssertEqual(try server.client(database: 3).command(["GET", "where"]).string, "three")
    }

    func testRefusedConnectionNamesHostPortAndErrno() throws {
        let port = try TestSockets.freePort()
        XCTAssertThrowsError(try RESPClient(url: "redis://127.0.0.1:\(port)/0", deadline: .now + .seconds(2))) { error in
            XCTAssertEqual("\(error)", "cannot connect to 127.0.0.1:\(port): Connection refused")
        }
    }

    func testSilentServerTimesOutAtTheDeadline() throws {
        let listener = try TestSockets.silentListener()
        defer { close(listener.fd) }
        let started = ContinuousClock.now
        let client = try RESPClient(url: "redis://127.0.0.1:\(listener.port)", deadline: .now + .milliseconds(300))
        XCTAssertThrowsError(try client.command(["PING"])) { error in
            XCTAssertEqual("\(error)", "timed out reading from 127.0.0.1:\(listener.port)")
        }
        let waited = started.duration(to: .now)
        XCTAssertGreaterThanOrEqual(waited, .milliseconds(290))
        XCTAssertLessThan(waited, .seconds(2))
    }

    func testHostNamesAreResolvedAndEveryAddressTried() throws {
        // "localhost" may give ::1 first; the server listens on 127.0.0.1 only, so that needs the fallback.
        let client = try RESPClient(url: "redis://localhost:\(server.port)", deadline: .now + .seconds(2))
        XCTAssertEqual(try client.command(["PING"]).string, "PONG")
    }

    func testRedisURLParsing() throws {
        let full = try RedisURL.parse("redis://app:p%40ss@cache.internal:6380/4")
        XCTAssertEqual(full, RedisURL(host: "cache.internal", port: 6380, database: 4, username: "app", password: "p@ss"))
        let passwordOnly = try RedisURL.parse("redis://:s3cret@127.0.0.1")
        XCTAssertEqual(passwordOnly, RedisURL(host: "127.0.0.1", port: 6379, database: 0, username: nil, password: "s3cret"))
        XCTAssertEqual(try RedisURL.parse("redis://[::1]:7000/2").label, "[::1]:7000 db 2")
        for bad in ["127.0.0.1:6379", "redis://:pw@host:99999", "redis://:pw@host/x", "http://host", "redis://:pw@/0"] {
            XCTAssertThrowsError(try RedisURL.parse(bad), bad) { error in
                XCTAssertFalse("\(error)".contains("pw"), "\(error)")
            }
        }
    }
}
