import Foundation
import OpsBrainCore
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `cache_clear`, `rate_limit_reset` and `feature_flag` against a real redis-server, with rollback.
final class RedisOperationDriverTests: RedisServerTestCase {
    private let driver = RedisOperationDriver()
    private var client: RESPClient!
    private var context: StepContext!

    override func setUpWithError() throws {
        try super.setUpWithError()
        client = try server.client()
        context = RedisTestContext.make([RedisTestContext.redisTarget("cache", url: server.url())])
    }

    private func clear(_ pattern: String, maxKeys: Int? = nil, type: OperationType = .cacheClear) -> FixOperationSpec {
        var parameters: [String: JSONValue] = ["target": .string("cache"), "pattern": .string(pattern)]
        if let maxKeys { parameters["max_keys"] = .number(Double(maxKeys)) }
        return FixOperationSpec(id: "clear", name: "clear", operation: type, parameters: parameters)
    }

    private func flag(_ key: String, _ value: String) -> FixOperationSpec {
        FixOperationSpec(id: "flag", name: "flag", operation: .featureFlag, parameters: [
            "target": .string("cache"), "key": .string(key), "value": .string(value)])
    }

    /// Counts on a client of its own: `client`'s deadline runs from the test's start, and filling
    /// and clearing 100,000 keys may outlast it on a slow machine.
    private func keyCount(_ pattern: String) throws -> Int {
        try server.client(within: .seconds(60)).scan(match: pattern, limit: 1_000_000).keys.count
    }

    func testCacheClearDeletesOnlyMatchingKeysAndRollbackRestoresValuesAndTTLs() throws {
        for index in 0..<250 { try client.command(["SET", "cache:page:\(index)", "page \(index)"]) }
        try client.command(["SET", "cache:page:ttl", "expiring", "PX", "600000"])
        try client.command(["HSET", "cache:page:hash", "a", "1", "b", "2"])
        try client.command(["RPUSH", "cache:page:list", "x", "y", "z"])
        try client.command(["SET", "cache:user:1", "keep"])
        try client.command(["SET", "session:1", "keep"])

        let outcome = driver.execute(clear("cache:page:*"), context: context)
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertEqual(outcome.summary, "Deleted 253 keys matching 'cache:page:*' on redis 'cache'")
        XCTAssertEqual(outcome.details["deleted"], .number(253))
        XCTAssertEqual(outcome.details["complete"], .bool(true))
        XCTAssertEqual(try keyCount("cache:page:*"), 0)
        XCTAssertEqual(try client.command(["GET", "cache:user:1"]).string, "keep")
        XCTAssertEqual(try client.command(["GET", "session:1"]).string, "keep")
        let undo = try XCTUnwrap(outcome.undo)
        XCTAssertEqual(undo["keys"]?.arrayValue?.count, 253)

        let rollback = driver.rollback(clear("cache:page:*"), undo: undo, context: context)
        XCTAssertTrue(rollback.succeeded, rollback.summary)
        XCTAssertEqual(rollback.summary, "Restored 253 of 253 keys on redis 'cache'")
        XCTAssertEqual(try keyCount("cache:page:*"), 253)
        XCTAssertEqual(try client.command(["GET", "cache:page:17"]).string, "page 17")
        XCTAssertEqual(try client.command(["HGET", "cache:page:hash", "b"]).string, "2")
        XCTAssertEqual(try client.command(["LRANGE", "cache:page:list", "0", "-1"]).elements?.compactMap(\.string), ["x", "y", "z"])
        XCTAssertEqual(try client.command(["GET", "cache:page:ttl"]).string, "expiring")
        let ttl = try XCTUnwrap(client.command(["PTTL", "cache:page:ttl"]).integer)
        XCTAssertTrue((590_000...600_000).contains(ttl), "ttl \(ttl)")
        XCTAssertEqual(try client.command(["PTTL", "cache:page:17"]), .integer(-1), "keys without expiry stay without")
    }

    func testRollbackReplacesKeysWrittenSinceTheClear() throws {
        try client.command(["SET", "rl:user:1", "old"])
        let outcome = driver.execute(clear("rl:*", type: .rateLimitReset), context: context)
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        try client.command(["SET", "rl:user:1", "new"])
        let rollback = driver.rollback(clear("rl:*", type: .rateLimitReset), undo: try XCTUnwrap(outcome.undo), context: context)
        XCTAssertTrue(rollback.succeeded, rollback.summary)
        XCTAssertEqual(try client.command(["GET", "rl:user:1"]).string, "old")
    }

    /// Fills `count` keys named `prefix:N`, in pipelined batches.
    private func fill(_ count: Int, prefix: String) throws {
        let client = try server.client(within: .seconds(120))
        for start in stride(from: 0, to: count, by: 1000) {
            _ = try client.pipeline((start..<min(start + 1000, count)).map { [Array("SET".utf8), Array("\(prefix):\($0)".utf8), Array("v".utf8)] })
        }
    }

    func testTheClearGoesOnInRoundsUntilNoKeyMatches() throws {
        try fill(100_000, prefix: "cache:item")   // seen: 80,000 of 100,000 left at max_keys, and a success
        try server.client().command(["SET", "session:1", "keep"])
        var operation = clear("cache:*", maxKeys: 20_000)
        operation.timeout = .seconds(120)
        let outcome = driver.execute(operation, context: context)
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertEqual(try keyCount("cache:*"), 0, "no key matches any more")
        XCTAssertEqual(outcome.details["deleted"], .number(100_000))
        XCTAssertEqual(outcome.details["remaining"], .number(0))
        XCTAssertGreaterThanOrEqual(outcome.details["rounds"]?.doubleValue ?? 0, 5)
        XCTAssertEqual(try server.client().command(["GET", "session:1"]).string, "keep")
    }

    func testARunOutTimeBudgetReportsWhatRemainsAndIsNoSuccess() throws {
        try fill(200_000, prefix: "rl")
        var operation = clear("rl:*", maxKeys: 10_000, type: .rateLimitReset)
        operation.timeout = .seconds(1)
        let outcome = driver.execute(operation, context: context)
        XCTAssertFalse(outcome.succeeded, "keys still match: the goal is not reached")
        let remaining = try XCTUnwrap(outcome.details["remaining"]?.doubleValue, outcome.summary)
        XCTAssertGreaterThan(remaining, 0)
        XCTAssertEqual(Int(remaining), min(try keyCount("rl:*"), 10_000), "what remains is counted, up to the count limit")
        XCTAssertTrue(outcome.summary.contains("keys still match (the time budget ran out)"), outcome.summary)
    }

    func testMatchAllPatternsAreRefused() throws {
        try client.command(["SET", "a", "1"])
        for pattern in ["*", "**"] {
            XCTAssertThrowsError(try driver.plan(clear(pattern), context: context)) { error in
                XCTAssertTrue("\(error)".hasPrefix("refusing to clear every key"), "\(error)")
            }
            let outcome = driver.execute(clear(pattern), context: context)
            XCTAssertFalse(outcome.succeeded)
            XCTAssertTrue(outcome.summary.contains("refusing to clear every key"), outcome.summary)
            XCTAssertNil(outcome.undo)
        }
        XCTAssertEqual(try client.command(["DBSIZE"]), .integer(1))
    }

    func testSnapshotsOver8MiBAreNotKept() throws {
        var generator = SystemRandomNumberGenerator()
        for index in 0..<3 {
            let words = (0..<375_000).map { _ in UInt64.random(in: .min ... .max, using: &generator) }
            let noise = words.withUnsafeBytes { Array($0) }
            try client.command(bytes: [Array("SET".utf8), Array("cache:blob:\(index)".utf8), noise])
        }
        let outcome = driver.execute(clear("cache:blob:*"), context: context)
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertNil(outcome.undo)
        XCTAssertEqual(outcome.details["deleted"], .number(3))
        XCTAssertTrue(outcome.details["snapshot"]?.stringValue?.contains("cannot be rolled back") == true)
        XCTAssertTrue(outcome.summary.contains("cannot be rolled back"), outcome.summary)
        XCTAssertEqual(try keyCount("cache:blob:*"), 0)
    }

    func testNothingMatchingIsASuccessWithAnEmptyUndo() throws {
        let outcome = driver.execute(clear("cache:none:*"), context: context)
        XCTAssertTrue(outcome.succeeded)
        XCTAssertEqual(outcome.details["deleted"], .number(0))
        XCTAssertEqual(outcome.undo, .object(["keys": .array([])]))
    }

    func testPlanNamesServerPatternAndLimit() throws {
        let plan = try driver.plan(clear("cache:*", maxKeys: 500), context: context)
        XCTAssertTrue(plan.hasPrefix("On redis 'cache' (127.0.0.1:\(server.port) db 0), in rounds until no key matches or the time "
                                     + "budget runs out: SCAN MATCH cache:* COUNT 1000 for at most 500 keys"), plan)
        XCTAssertTrue(try driver.plan(flag("f", "on"), context: context).hasSuffix("GET f (kept for rollback), then SET f on"))
    }

    func testFeatureFlagWithPreviousValueAndRollback() throws {
        try client.command(["SET", "flags:checkout", "on"])
        let outcome = driver.execute(flag("flags:checkout", "off"), context: context)
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertEqual(outcome.details["previous"], .string("on"))
        XCTAssertEqual(try client.command(["GET", "flags:checkout"]).string, "off")
        let undo = try XCTUnwrap(outcome.undo)
        XCTAssertEqual(undo, .object(["key": .string("flags:checkout"), "previous": .string("on")]))
        let rollback = driver.rollback(flag("flags:checkout", "off"), undo: undo, context: context)
        XCTAssertTrue(rollback.succeeded, rollback.summary)
        XCTAssertEqual(try client.command(["GET", "flags:checkout"]).string, "on")
    }

    func testFeatureFlagWithoutPreviousValueRollsBackToAbsent() throws {
        let outcome = driver.execute(flag("flags:new", "on"), context: context)
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        XCTAssertTrue(outcome.summary.contains("it was unset"), outcome.summary)
        XCTAssertEqual(try client.command(["GET", "flags:new"]).string, "on")
        let undo = try XCTUnwrap(outcome.undo)
        XCTAssertEqual(undo["previous"], .null)
        let rollback = driver.rollback(flag("flags:new", "on"), undo: undo, context: context)
        XCTAssertTrue(rollback.succeeded, rollback.summary)
        XCTAssertEqual(try client.command(["EXISTS", "flags:new"]), .integer(0))
    }

    func testFeatureFlagOnANonStringKeyFailsWithoutChangingIt() throws {
        try client.command(["HSET", "flags:hash", "a", "1"])
        let outcome = driver.execute(flag("flags:hash", "on"), context: context)
        XCTAssertFalse(outcome.succeeded)
        XCTAssertTrue(outcome.summary.contains("GET: WRONGTYPE"), outcome.summary)
        XCTAssertEqual(try client.command(["TYPE", "flags:hash"]).string, "hash")
    }

    func testMalformedUndoAndMissingTargetFail() {
        let rollback = driver.rollback(clear("cache:*"), undo: .object(["keys": .array([.string("x")])]), context: context)
        XCTAssertFalse(rollback.succeeded)
        XCTAssertTrue(rollback.summary.contains("malformed key entry"), rollback.summary)
        var missing = clear("cache:*")
        missing.parameters["target"] = .string("ghost")
        XCTAssertEqual(driver.execute(missing, context: context).summary,
                       "step 'clear' (cache_clear): target 'ghost' is not defined in the config")
    }

    func testBinaryPreviousFlagValueIsRestoredExactly() throws {
        let previous: [UInt8] = [0xff, 0xfe, 0x00, 0x41]
        try client.command(bytes: [Array("SET".utf8), Array("flags:bin".utf8), previous])
        let outcome = driver.execute(flag("flags:bin", "on"), context: context)
        XCTAssertTrue(outcome.succeeded, outcome.summary)
        let undo = try XCTUnwrap(outcome.undo)
        XCTAssertEqual(undo["previous_base64"], .string("//4AQQ=="))
        XCTAssertTrue(driver.rollback(flag("flags:bin", "on"), undo: undo, context: context).succeeded)
        XCTAssertEqual(try client.command(["GET", "flags:bin"]).bytes, previous)
    }

    func testRestoreOfACorruptSnapshotIsReportedPerKey() throws {
        let undo: JSONValue = .object(["keys": .array([
            .object(["key": .string("cache:good"), "ttl_ms": .number(0),
                     "payload": .string(Data(try XCTUnwrap(dumpOf("cache:src"))).base64EncodedString())]),
            .object(["key": .string("cache:bad"), "ttl_ms": .number(0), "payload": .string("bm90IGEgZHVtcA==")]),
        ])])
        let rollback = driver.rollback(clear("cache:*"), undo: undo, context: context)
        XCTAssertFalse(rollback.succeeded)
        XCTAssertEqual(rollback.details["restored"], .number(1))
        XCTAssertEqual(rollback.details["failed"], .number(1))
        XCTAssertTrue(rollback.summary.contains("cache:bad: ERR DUMP payload version or checksum are wrong"), rollback.summary)
        XCTAssertEqual(try client.command(["GET", "cache:good"]).string, "source")
    }

    private func dumpOf(_ key: String) throws -> [UInt8]? {
        try client.command(["SET", key, "source"])
        return try client.command(["DUMP", key]).bytes
    }

    func testSilentServerFailsTheOperationAtItsTimeout() throws {
        let listener = try TestSockets.silentListener()
        defer { close(listener.fd) }
        let hung = RedisTestContext.make([RedisTestContext.redisTarget("cache", url: "redis://127.0.0.1:\(listener.port)")])
        var operation = clear("cache:*")
        operation.timeout = .milliseconds(300)
        let started = ContinuousClock.now
        let outcome = driver.execute(operation, context: hung)
        XCTAssertFalse(outcome.succeeded)
        XCTAssertEqual(outcome.summary, "step 'clear' (cache_clear): target 'cache': timed out reading from 127.0.0.1:\(listener.port)")
        XCTAssertLessThan(started.duration(to: .now), .seconds(2))
    }
}
