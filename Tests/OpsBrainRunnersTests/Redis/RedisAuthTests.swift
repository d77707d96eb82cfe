import OpsBrainCore
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// Logging in to a redis-server that requires a password; failures never show the password.
final class RedisAuthTests: RedisServerTestCase {
    private static let password = "Corr3ct-horse-battery"
    private let wrongPassword = "Wr0ng-staple-guess"

    override class var serverPassword: String? { password }

    func testCorrectPasswordLogsInAndSelectsDatabase() throws {
        let client = try RESPClient(url: server.url(database: 5), deadline: .now + .seconds(2))
        try client.command(["SET", "k", "v"])
        XCTAssertEqual(try client.command(["GET", "k"]).string, "v")
        XCTAssertEqual(try server.client(database: 5).command(["DBSIZE"]), .integer(1))
        XCTAssertEqual(try server.client(database: 0).command(["DBSIZE"]), .integer(0))
    }

    func testWrongPasswordIsAClearErrorWithoutThePassword() throws {
        XCTAssertThrowsError(try RESPClient(url: server.url(password: wrongPassword), deadline: .now + .seconds(2))) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("redis 127.0.0.1:\(server.port) db 0: AUTH: WRONGPASS"), message)
            XCTAssertFalse(message.contains(wrongPassword), message)
            XCTAssertFalse(message.contains(Self.password), message)
        }
    }

    func testMissingPasswordIsAClearError() throws {
        let url = "redis://127.0.0.1:\(server.port)/0"
        let client = try RESPClient(url: url, deadline: .now + .seconds(2))
        XCTAssertThrowsError(try client.command(["PING"])) { error in
            XCTAssertTrue("\(error)".contains("PING: NOAUTH Authentication required"), "\(error)")
        }
    }

    func testStepAndOperationsWithWrongPasswordFromEnvironmentKeepItSecret() throws {
        let target = TargetDefinition(name: "cache", kind: .redis, fields: ["url_env": .string("CACHE_URL")])
        let context = RedisTestContext.make([target], environment: ["CACHE_URL": server.url(password: wrongPassword)])
        let step = StepSpec(id: "ping", name: "ping", type: .redis,
                            parameters: ["target": .string("cache"), "check": .string("ping")])
        let result = RedisStepRunner().run(step, context: context)
        let error = try XCTUnwrap(result.error)
        XCTAssertTrue(error.contains("target 'cache'") && error.contains("WRONGPASS"), error)
        XCTAssertFalse(error.contains(wrongPassword), error)

        let flag = FixOperationSpec(id: "flag", name: "flag", operation: .featureFlag, parameters: [
            "target": .string("cache"), "key": .string("f"), "value": .string("on")])
        let driver = RedisOperationDriver()
        let outcome = driver.execute(flag, context: context)
        XCTAssertFalse(outcome.succeeded)
        XCTAssertTrue(outcome.summary.contains("WRONGPASS"), outcome.summary)
        XCTAssertFalse(outcome.summary.contains(wrongPassword), outcome.summary)
        let plan = try driver.plan(flag, context: context)
        XCTAssertFalse(plan.contains(wrongPassword), plan)
        XCTAssertTrue(plan.contains("127.0.0.1:\(server.port) db 0"), plan)
    }
}
