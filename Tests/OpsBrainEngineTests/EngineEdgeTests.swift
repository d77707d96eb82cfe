import Foundation
import OpsBrainCore
import OpsBrainPostgres
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// The engine process at its edge, as a real `opsbrain engine`: a service it restarted holds none of
/// the engine's descriptors, a new engine listens at once after `kill -9` while that service lives,
/// and SIGTERM stops every service of the process gracefully.
final class EngineEdgeTests: XCTestCase {
    private var processes: [Process] = []

    override func tearDown() {
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        processes = []
    }

    private struct Deployment {
        let connection: PostgresConnection
        let url: String
        let config: String
        let port: Int
        let service: LocalService
        let log: String
    }

    private func deploy() throws -> Deployment {
        let (connection, url) = try TestPostgres.migratedConnection()
        let folder = try TemporaryDirectory.make(prefix: "ob-edge")
        let service = try LocalService()
        let sop = EngineServicesTests.webDownSOP
        try FileManager.default.createDirectory(atPath: "\(folder)/SOPs/infrastructure", withIntermediateDirectories: true)
        try sop.write(toFile: "\(folder)/SOPs/infrastructure/web-down.md", atomically: true, encoding: .utf8)
        let port = try TestSockets.freePort()
        let config = "\(folder)/opsbrain.yaml"
        try (service.configYAML + "\nengine:\n  mode: auto\n  listen: 127.0.0.1:\(port)\n  sops_dir: \(folder)/SOPs\n")
            .write(toFile: config, atomically: true, encoding: .utf8)
        return Deployment(connection: connection, url: url, config: config, port: port, service: service, log: "\(folder)/engine.log")
    }

    private func startEngine(_ deployment: Deployment) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try XCTUnwrap(OpsBrainBinary.path(), "build the opsbrain executable first"))
        process.arguments = ["engine", "--database-url", deployment.url, "--config", deployment.config]
        FileManager.default.createFile(atPath: deployment.log, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: deployment.log))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        processes.append(process)
        return process
    }

    private func status(port: Int, _ method: String, _ path: String, body: String? = nil) throws -> Int {
        try HTTPClient().send(HTTPRequest(method: method, url: "http://127.0.0.1:\(port)\(path)", headers: ["Content-Type": "application/json"],
                                          body: body.map { Array($0.utf8) }, timeout: .seconds(5))).status
    }

    /// Polls `/healthz` until it answers 200 or `timeout` passes.
    private func healthy(port: Int, timeout: Duration = .seconds(20)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? status(port: port, "GET", "/healthz")) == 200 { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }

    private func waitForStatus(_ deployment: Deployment, _ statuses: [String], timeout: TimeInterval = 60) throws -> UUID {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let row = try deployment.connection.query("SELECT id, status FROM self_healing_executions ORDER BY started_at DESC LIMIT 1").first,
               let status = row.string("status"), statuses.contains(status), let id = row.uuid("id") { return id }
            Thread.sleep(forTimeInterval: 0.2)
        }
        throw StepFailure("no execution reached \(statuses) within \(timeout) s; engine log:\n"
                          + ((try? String(contentsOfFile: deployment.log, encoding: .utf8)) ?? ""))
    }

    func testARestartedServiceHoldsNothingOfTheEngineAndANewEngineListensAfterKillDashNine() throws {
        let deployment = try deploy()
        defer { deployment.service.stop() }
        try deployment.service.start()
        let first = try startEngine(deployment)
        XCTAssertTrue(healthy(port: deployment.port), "the first engine serves /healthz")
        deployment.service.kill()
        let alert = #"{"type": "web_down", "title": "Web service down", "severity": "high"}"#
        XCTAssertEqual(try status(port: deployment.port, "POST", "/api/v1/alerts", body: alert), 200)
        let waiting = try waitForStatus(deployment, ["awaiting_approval"])
        try ApprovalRepository(connection: deployment.connection).decide(waiting, approve: true, approver: Approver(name: "ana", address: nil),
                                                                          reason: nil)
        _ = try waitForStatus(deployment, ["success"])
        // The sidecar opens nothing itself: whatever it holds beyond 0-2 came from the engine's spawn.
        let sidecar = try XCTUnwrap(deployment.service.sidecarPid, "the restarted service's start script left its sidecar")
        let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(sidecar)/fd").sorted()
        XCTAssertEqual(descriptors, ["0", "1", "2"], "a process the restart left running holds only its standard descriptors")

        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        XCTAssertTrue(deployment.service.answers(), "the restarted service outlives the engine")
        let second = try startEngine(deployment)
        XCTAssertTrue(healthy(port: deployment.port, timeout: .seconds(10)), "a new engine listens on the same port at once")
        XCTAssertTrue(second.isRunning)
    }

    func testSIGTERMStopsTheWholeProcessGracefully() throws {
        let deployment = try deploy()
        let engine = try startEngine(deployment)
        XCTAssertTrue(healthy(port: deployment.port), "the engine serves /healthz")
        let id = try XCTUnwrap(try deployment.connection.query("SELECT engine_id FROM opsbrain_engines WHERE stopped_at IS NULL").first?
            .string("engine_id"))
        kill(engine.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(30)
        while engine.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        XCTAssertFalse(engine.isRunning, "SIGTERM ends the process within 30 s")
        XCTAssertEqual(engine.terminationStatus, 0, "a graceful stop exits 0")
        XCTAssertEqual(try deployment.connection.query("SELECT stopped_at IS NOT NULL AS stopped FROM opsbrain_engines WHERE engine_id = $1",
                                                       [id]).first?.string("stopped"), "t", "the engine marked itself stopped")
        XCTAssertThrowsError(try status(port: deployment.port, "GET", "/healthz"), "the intake port is closed")
    }
}
