import Foundation
import OpsBrainCore
import OpsBrainPlatform
import OpsBrainRunners

/// A throwaway `redis-server` on 127.0.0.1 and a free port, with nothing saved to disk.
public final class RedisTestServer {
    public let port: Int
    public let password: String?
    private let process: Process
    private let directory: String

    /// Starts the server and waits until it answers PING.
    public init(password: String? = nil) throws {
        guard let executable = ProcessRunner.resolveExecutable("redis-server") else {
            throw StepFailure("redis-server is not installed")
        }
        self.password = password
        directory = try TemporaryDirectory.make(prefix: "opsbrain-redis")
        port = try TestSockets.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", directory, "--logfile", directory + "/redis.log", "--daemonize", "no"]
            + (password.map { ["--requirepass", $0] } ?? [])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try waitUntilReady()
    }

    /// The server's URL (with the password, when it has one) for database `database`.
    public func url(database: Int = 0, password given: String? = nil) -> String {
        let secret = given ?? password
        return "redis://" + (secret.map { ":\($0)@" } ?? "") + "127.0.0.1:\(port)/\(database)"
    }

    /// A connected client with a 5 s budget.
    /// A client whose every call must end `within` from now.
    public func client(database: Int = 0, within: Duration = .seconds(5)) throws -> RESPClient {
        try RESPClient(url: url(database: database), deadline: .now + within)
    }

    /// Stops the server and removes its directory.
    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func waitUntilReady() throws {
        let giveUp = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < giveUp {
            if let client = try? client(), (try? client.command(["PING"]).string) == "PONG" { return }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop()
        throw StepFailure("redis-server on port \(port) did not start")
    }
}

/// Step contexts over a set of targets, for runner and driver tests.
public enum RedisTestContext {
    public static func make(_ targets: [TargetDefinition], environment: [String: String] = [:]) -> StepContext {
        StepContext(executionID: UUID(), alert: AlertSnapshot(alertType: "test", title: "test"),
                    targets: Dictionary(uniqueKeysWithValues: targets.map { ($0.name, $0) }), environment: environment)
    }

    public static func redisTarget(_ name: String, url: String) -> TargetDefinition {
        TargetDefinition(name: name, kind: .redis, fields: ["url": .string(url)])
    }
}
