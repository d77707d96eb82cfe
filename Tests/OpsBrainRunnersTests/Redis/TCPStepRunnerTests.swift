import OpsBrainCore
import OpsBrainTestSupport
@testable import OpsBrainRunners
import XCTest

/// `tcp` steps: connected or not (with latency) to targets of every kind that names a host and port.
final class TCPStepRunnerTests: RedisServerTestCase {
    private let runner = TCPStepRunner()

    private func run(_ target: TargetDefinition, named name: String? = nil, environment: [String: String] = [:],
                     timeout: Duration = .seconds(2)) -> StepResult {
        let step = StepSpec(id: "port", name: "port", type: .tcp, timeout: timeout,
                            parameters: ["target": .string(name ?? target.name)])
        return runner.run(step, context: RedisTestContext.make([target], environment: environment))
    }

    private func tcpTarget(port: Int?) -> TargetDefinition {
        var fields: [String: JSONValue] = ["host": .string("127.0.0.1")]
        if let port { fields["port"] = .number(Double(port)) }
        return TargetDefinition(name: "port", kind: .tcp, fields: fields)
    }

    func testOpenPortIsConnectedWithLatency() throws {
        let result = run(tcpTarget(port: server.port))
        XCTAssertNil(result.error)
        XCTAssertEqual(result.values["connected"], .bool(true))
        let latency = try XCTUnwrap(result.values["latency_ms"]?.doubleValue)
        XCTAssertTrue((0..<1_000).contains(latency), "latency \(latency)")
        XCTAssertEqual(Set(result.values.keys), ["connected", "latency_ms"])
    }

    func testClosedPortIsAResultNotAnError() throws {
        let result = run(tcpTarget(port: try TestSockets.freePort()))
        XCTAssertNil(result.error)
        XCTAssertEqual(result.values["connected"], .bool(false))
        XCTAssertNotNil(result.values["latency_ms"]?.doubleValue)
    }

    func testHostNameTarget() {
        let target = TargetDefinition(name: "named", kind: .tcp, fields: ["host": .string("localhost"), "port": .number(Double(server.port))])
        XCTAssertEqual(run(target).values["connected"], .bool(true))
    }

    func testRedisTargetFromURLEnvironment() {
        let target = TargetDefinition(name: "cache", kind: .redis, fields: ["url_env": .string("CACHE_URL")])
        let result = run(target, environment: ["CACHE_URL": "redis://:secret-pw@127.0.0.1:\(server.port)/0"])
        XCTAssertEqual(result.values["connected"], .bool(true))
    }

    func testHTTPAndPostgresTargetsUseTheirURLsPorts() throws {
        let http = TargetDefinition(name: "api", kind: .http, fields: ["url": .string("http://127.0.0.1:\(server.port)/health")])
        XCTAssertEqual(run(http).values["connected"], .bool(true))
        let closed = try TestSockets.freePort()
        let postgres = TargetDefinition(name: "db", kind: .postgres,
                                        fields: ["url": .string("postgresql://app:pw@127.0.0.1:\(closed)/app?sslmode=disable")])
        let result = run(postgres)
        XCTAssertNil(result.error)
        XCTAssertEqual(result.values["connected"], .bool(false))
    }

    func testUnknownTargetIsAnError() {
        let result = run(tcpTarget(port: server.port), named: "nowhere")
        XCTAssertEqual(result.error, "step 'port': target 'nowhere' is not defined in the config")
        XCTAssertTrue(result.values.isEmpty)
    }

    func testTargetWithoutPortOrWithBadURLIsAnError() {
        XCTAssertEqual(run(tcpTarget(port: nil)).error, "step 'port': target 'port' has no port")
        let bad = TargetDefinition(name: "cache", kind: .redis, fields: ["url": .string("redis://:pw@127.0.0.1:notaport/0")])
        XCTAssertEqual(run(bad).error, "step 'port': target 'cache': the URL's port is not a number in 1...65535")
        let wrongKind = TargetDefinition(name: "logs", kind: .path, fields: ["path": .string("/tmp")])
        XCTAssertEqual(run(wrongKind).error,
                       "step 'port': target 'logs' is a path target; expected http or postgres or redis or tcp or tls")
    }

    func testDefaultPortsOfTLSAndURLTargets() throws {
        let tls = TargetDefinition(name: "site", kind: .tls, fields: ["host": .string("app.example.com")])
        XCTAssertTrue(try TCPStepRunner.endpoint(of: tls, environment: [:]) == ("app.example.com", 443))
        let https = TargetDefinition(name: "api", kind: .http, fields: ["url": .string("https://api.example.com/v1")])
        XCTAssertTrue(try TCPStepRunner.endpoint(of: https, environment: [:]) == ("api.example.com", 443))
        let http = TargetDefinition(name: "api", kind: .http, fields: ["url": .string("http://[::1]/v1")])
        XCTAssertTrue(try TCPStepRunner.endpoint(of: http, environment: [:]) == ("::1", 80))
        let postgres = TargetDefinition(name: "db", kind: .postgres, fields: ["url": .string("postgres://u:p@db.internal/app")])
        XCTAssertTrue(try TCPStepRunner.endpoint(of: postgres, environment: [:]) == ("db.internal", 5432))
        let redis = TargetDefinition(name: "cache", kind: .redis, fields: ["url": .string("redis://cache.internal")])
        XCTAssertTrue(try TCPStepRunner.endpoint(of: redis, environment: [:]) == ("cache.internal", 6379))
        let explicit = TargetDefinition(name: "site", kind: .tls, fields: ["host": .string("127.0.0.1"), "port": .number(Double(server.port))])
        XCTAssertEqual(run(explicit).values["connected"], .bool(true))
    }
}
