import Foundation
import OpsBrainPlatform
import OpsBrainPostgres
import OpsBrainRunners
import OpsBrainSandbox
import OpsBrainTestSupport
import XCTest

/// The stock profile on its real components (Debian's nginx and prometheus-nginx-exporter, six
/// Python shop instances, Redis, PostgreSQL, Prometheus with the profile's rules, Alertmanager), at
/// the fixed ports and folder its own opsbrain.yaml names: each fault breaks the real goal its check
/// watches, and an instance going down reaches the engine through Alertmanager and restarts that
/// instance only.
final class StockServicesTests: XCTestCase {
    private var services: StockServices!
    private var executable: String!
    /// sandbox/stock in the repository.
    private static let files = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("sandbox/stock").path

    override func setUpWithError() throws {
        guard let opsbrain = OpsBrainBinary.path() else { throw XCTSkip("the opsbrain binaries are not built") }
        executable = URL(fileURLWithPath: opsbrain).deletingLastPathComponent().appendingPathComponent("opsbrain-sandbox").path
        guard FileManager.default.isExecutableFile(atPath: executable) else { throw XCTSkip("opsbrain-sandbox is not built") }
        let stock = StockServices(layout: StockLayout(files: Self.files))
        if let running = stock.status().first(where: \.1) {
            // The profile's ports and folder are fixed (its opsbrain.yaml names them): never take over a running one.
            XCTFail("the stock profile's \(running.0) is running (a demo or the bench?): stop it with opsbrain-sandbox down --profile stock")
            throw XCTSkip("the stock profile is in use")
        }
        services = stock
        try services.down(purge: true)
        try services.up(executable: executable)
    }

    override func tearDownWithError() throws {
        try services?.down(purge: true)
    }

    func testEveryServiceRunsAndStopsAgain() throws {
        XCTAssertEqual(services.status().filter { !$0.1 }.map(\.0), [], "every service runs after up")
        let through = try HTTPClient().send(HTTPRequest(url: services.layout.frontendURL + "/api/orders", timeout: .seconds(5)))
        XCTAssertEqual(through.status, 200, "nginx serves the shop's API")
        try services.down(purge: false)
        XCTAssertEqual(services.status().filter(\.1).map(\.0), [], "nothing runs after down")
    }

    func testEachFaultBreaksTheRealGoalItsCheckWatches() throws {
        for fault in services.faults {
            XCTAssertTrue(fault.isHealthy(), "\(fault.name): healthy before the injection")
            try fault.inject()
            XCTAssertFalse(fault.isHealthy(), "\(fault.name): broken after the injection")
            fault.repairByHand()
            XCTAssertTrue(fault.isHealthy(), "\(fault.name): healthy after the repair by hand")
        }
    }

    func testTheLogCheckFailsWhileTheWriterHoldsARenamedLog() throws {
        let fault = try services.faults.named("log-growth")
        try fault.inject()
        let log = services.layout.shopLog("shop-1")
        try FileManager.default.moveItem(atPath: log, toPath: log + ".1")   // a rotation the writer never hears of
        try FileManager.default.removeItem(atPath: log + ".1")
        FileManager.default.createFile(atPath: log, contents: nil)
        XCTAssertFalse(fault.isHealthy(), "an empty new file is no fix: the space is still held and the writer writes elsewhere")
        fault.repairByHand()
        XCTAssertTrue(fault.isHealthy())
    }

    func testAnInstanceDownReachesTheEngineThroughAlertmanagerAndOnlyThatInstanceRestarts() throws {
        let (connection, url) = try TestPostgres.migratedConnection()
        defer { connection.close() }
        let opsbrain = try XCTUnwrap(OpsBrainBinary.path())
        let config = services.layout.files + "/opsbrain.yaml"
        let sops = URL(fileURLWithPath: Self.files).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("SOPs").path
        let sync = try ProcessRunner.run([opsbrain, "sop", "sync", "--config", config, "--database-url", url, "--dir", sops], timeout: .seconds(60))
        XCTAssertEqual(sync.exitCode, 0, sync.stderr)
        let engine = try DetachedProcess.spawn([opsbrain, "engine", "--config", config, "--database-url", url, "--no-sync"],
                                               log: services.layout.serviceLog("engine"), environment: try services.engineEnvironment())
        defer { DetachedProcess.stop(pid: engine) }
        let shop1 = try ShopControl(layout: services.layout, instance: "shop-1")
        let untouched = shop1.pid
        try services.faults.named("shop-killed").inject()
        let waiting = "SELECT count(*) AS n FROM self_healing_executions e JOIN intelligence_alerts a ON a.id = e.alert_id "
            + "WHERE a.alert_type = 'InstanceDown' AND a.labels->>'instance' = 'shop-6' AND e.status = 'awaiting_approval'"
        XCTAssertEqual(try DatabasePolling.count(connection, waiting, timeout: 90) { $0 == 1 }, 1,
                       "Prometheus → Alertmanager → the engine: one execution for shop-6, asking approval (no history yet)")
        let id = try XCTUnwrap(connection.query("SELECT id::text AS id FROM self_healing_executions").rows.first?.string("id"))
        XCTAssertEqual(try ProcessRunner.run([opsbrain, "approve", id, "--database-url", url], timeout: .seconds(30)).exitCode, 0)
        let done = "SELECT count(*) AS n FROM self_healing_executions WHERE status = 'success'"
        XCTAssertEqual(try DatabasePolling.count(connection, done, timeout: 120) { $0 == 1 }, 1, "restarted and verified")
        XCTAssertTrue(try services.faults.named("shop-killed").isHealthy(), "shop-6 serves again, by the fault's own check")
        XCTAssertEqual(shop1.pid, untouched, "the other instances were not restarted")
    }
}
