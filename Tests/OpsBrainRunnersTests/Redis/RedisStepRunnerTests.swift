import Foundation
import OpsBrainCore
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `redis` steps against a real redis-server: ping, info_memory, scan_count, get, and failures.
final class RedisStepRunnerTests: RedisServerTestCase {
    private let runner = RedisStepRunner()

    private func run(_ parameters: [String: JSONValue], target: TargetDefinition? = nil,
                     timeout: Duration = .seconds(5)) -> StepResult {
        let target = target ?? RedisTestContext.redisTarget("cache", url: server.url())
        var all = parameters
        all["target"] = all["target"] ?? .string(target.name)
        let step = StepSpec(id: "check", name: "check", type: .redis, timeout: timeout, parameters: all)
        return runner.run(step, context: RedisTestContext.make([target]))
    }

    func testPing() {
        let result = run(["check": .string("ping")])
        XCTAssertNil(result.error)
        XCTAssertEqual(result.values, ["ok": .bool(true)])
    }

    func testInfoMemoryWithoutMaxmemoryGivesZeroPercent() throws {
        let result = run(["check": .string("info_memory")])
        XCTAssertNil(result.error)
        XCTAssertGreaterThan(try XCTUnwrap(result.values["used_memory"]?.doubleValue), 100_000)
        XCTAssertEqual(result.values["maxmemory"], .number(0))
        XCTAssertEqual(result.values["used_percent"], .number(0))
    }

    func testInfoMemoryPercentOfMaxmemory() throws {
        let client = try server.client()
        try client.command(["CONFIG", "SET", "maxmemory", "100000000"])
        defer { _ = try? client.command(["CONFIG", "SET", "maxmemory", "0"]) }
        let result = run(["check": .string("info_memory")])
        XCTAssertNil(result.error)
        let used = try XCTUnwrap(result.values["used_memory"]?.doubleValue)
        XCTAssertEqual(result.values["maxmemory"], .number(100_000_000))
        XCTAssertEqual(try XCTUnwrap(result.values["used_percent"]?.doubleValue), used / 1_000_000, accuracy: 0.05)
    }

    func testScanCountCountsOnlyMatchingKeys() throws {
        let client = try server.client()
        for index in 0..<1_234 { try client.command(["SET", "session:\(index)", "x"]) }
        for index in 0..<50 { try client.command(["SET", "other:\(index)", "x"]) }
        XCTAssertEqual(run(["check": .string("scan_count"), "pattern": .string("session:*")]).values, ["count": .number(1_234)])
        XCTAssertEqual(run(["check": .string("scan_count"), "pattern": .string("nothing:*")]).values, ["count": .number(0)])
        XCTAssertEqual(run(["check": .string("scan_count")]).values, ["count": .number(1_284)])
    }

    func testGetExistingMissingAndLongValues() throws {
        let client = try server.client()
        try client.command(["SET", "flag", "on"])
        try client.command(["SET", "long", String(repeating: "é", count: 3_000)])
        XCTAssertEqual(run(["check": .string("get"), "key": .string("flag")]).values, ["value": .string("on")])
        XCTAssertEqual(run(["check": .string("get"), "key": .string("absent")]).values, ["value": .null])
        let long = try XCTUnwrap(run(["check": .string("get"), "key": .string("long")]).values["value"]?.stringValue)
        XCTAssertEqual(long.utf8.count, 4_096)
        XCTAssertEqual(long, String(repeating: "é", count: 2_048))
    }

    func testGetWithoutKeyAndUnknownCheckFail() {
        XCTAssertEqual(run(["check": .string("get")]).error, "step 'check': check get needs a key")
        XCTAssertEqual(run(["check": .string("flushall")]).error,
                       "step 'check': unknown redis check 'flushall' (expected ping, info_memory, scan_count or get)")
    }

    func testWrongTypeIsAnErrorNamingTargetAndServer() throws {
        try server.client().command(["LPUSH", "list", "a"])
        let error = try XCTUnwrap(run(["check": .string("get"), "key": .string("list")]).error)
        XCTAssertTrue(error.hasPrefix("step 'check': target 'cache': redis 127.0.0.1:\(server.port) db 0: GET: WRONGTYPE"), error)
    }

    func testUnknownAndWrongKindTargetsFail() {
        XCTAssertEqual(run(["check": .string("ping"), "target": .string("nope")]).error,
                       "step 'check': target 'nope' is not defined in the config")
        let tcp = TargetDefinition(name: "db_port", kind: .tcp, fields: ["host": .string("127.0.0.1"), "port": .number(5432)])
        XCTAssertEqual(run(["check": .string("ping")], target: tcp).error,
                       "step 'check': target 'db_port' is a tcp target; expected redis")
    }

    func testUnreachableServerIsAnError() throws {
        let port = try TestSockets.freePort()
        let target = RedisTestContext.redisTarget("down", url: "redis://127.0.0.1:\(port)/0")
        let result = run(["check": .string("ping")], target: target)
        XCTAssertEqual(result.error, "step 'check': target 'down': cannot connect to 127.0.0.1:\(port): Connection refused")
        XCTAssertTrue(result.values.isEmpty)
    }

    func testSilentServerTimesOutWithinTheStepTimeout() throws {
        let listener = try TestSockets.silentListener()
        defer { close(listener.fd) }
        let target = RedisTestContext.redisTarget("hung", url: "redis://127.0.0.1:\(listener.port)/0")
        let result = run(["check": .string("ping")], target: target, timeout: .milliseconds(250))
        XCTAssertEqual(result.error, "step 'check': target 'hung': timed out reading from 127.0.0.1:\(listener.port)")
        XCTAssertGreaterThanOrEqual(result.durationMs, 240)
        XCTAssertLessThan(result.durationMs, 2_000)
    }

    func testURLFromEnvironmentAndMissingVariable() {
        let target = TargetDefinition(name: "cache", kind: .redis, fields: ["url_env": .string("CACHE_URL")])
        let step = StepSpec(id: "check", name: "check", type: .redis, parameters: ["target": .string("cache"), "check": .string("ping")])
        let present = runner.run(step, context: RedisTestContext.make([target], environment: ["CACHE_URL": server.url()]))
        XCTAssertEqual(present.values, ["ok": .bool(true)])
        let missing = runner.run(step, context: RedisTestContext.make([target]))
        XCTAssertEqual(missing.error, "step 'check': target 'cache': environment variable CACHE_URL (url_env) is not set")
    }
}
