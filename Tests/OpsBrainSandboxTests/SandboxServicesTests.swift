import Foundation
import OpsBrainPlatform
import OpsBrainSandbox
import OpsBrainTestSupport
import XCTest

/// The sandbox on real services (its own PostgreSQL, Redis, Prometheus, the app and the inbox, on
/// free ports in a temp folder): each fault of the catalogue really breaks what its check looks at.
final class SandboxServicesTests: XCTestCase {
    private var layout: SandboxLayout!
    private var services: SandboxServices!

    override func setUpWithError() throws {
        guard let opsbrain = OpsBrainBinary.path() else { throw XCTSkip("the opsbrain binaries are not built") }
        let executable = URL(fileURLWithPath: opsbrain).deletingLastPathComponent().appendingPathComponent("opsbrain-sandbox").path
        guard FileManager.default.isExecutableFile(atPath: executable) else { throw XCTSkip("opsbrain-sandbox is not built") }
        let root = try TemporaryDirectory.make(prefix: "ob-sandbox") + "/sandbox"
        layout = SandboxLayout(root: root)
        layout.appPort = try TestSockets.freePort()
        layout.redisPort = try TestSockets.freePort()
        layout.prometheusPort = try TestSockets.freePort()
        layout.postgresPort = try TestSockets.freePort()
        layout.inboxPort = try TestSockets.freePort()
        services = SandboxServices(layout: layout)
        try services.up(executable: executable)
    }

    override func tearDownWithError() throws {
        try services?.down(purge: true)
    }

    func testEveryServiceRunsAndStopsAgain() throws {
        XCTAssertEqual(services.status().filter { !$0.1 }.map(\.0), [], "every service runs after up")
        XCTAssertEqual(SandboxLayout.load(root: layout.root).appPort, layout.appPort, "the ports are recorded for the other processes")
        try services.down(purge: false)
        XCTAssertEqual(services.status().filter(\.1).map(\.0), [], "nothing runs after down")
    }

    func testEachFaultBreaksTheServiceItsCheckWatches() throws {
        let crash = try services.faults.named("app-crash")
        for fault in services.faults.filter({ $0.name != crash.name }) + [crash] {   // a dead app hides the others
            XCTAssertTrue(fault.isHealthy(), "\(fault.name): healthy before the injection")
            try fault.inject()
            XCTAssertFalse(fault.isHealthy(), "\(fault.name): broken after the injection")
        }
    }

    func testACrashedAppComesBackThroughItsServiceCommands() throws {
        let app = AppControl(layout: layout)
        try services.faults.named("app-crash").inject()
        XCTAssertFalse(app.answers())
        let start = try ProcessRunner.run(layout.command("app", "start"), timeout: .seconds(30))
        XCTAssertEqual(start.exitCode, 0, start.stderr)
        XCTAssertTrue(app.answers(), "the app answers again once 'app start' returns")
        XCTAssertEqual(try ProcessRunner.run(layout.command("app", "status"), timeout: .seconds(10)).exitCode, 0)
    }

    func testAHumansSessionIsRepairedByHand() throws {
        let fault = try services.faults.named("human-transaction")
        try fault.inject()
        XCTAssertFalse(fault.isHealthy())
        fault.repairByHand()
        XCTAssertTrue(fault.isHealthy())
    }
}
