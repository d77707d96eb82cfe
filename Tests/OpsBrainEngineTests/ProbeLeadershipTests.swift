import Foundation
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// Probes run on the leader only; a new leader carries on from the alerts it finds firing.
final class ProbeLeadershipTests: XCTestCase {
    private func config(_ server: LocalHTTPServer) -> String {
        """
        targets:
          web: {type: http, url: "\(server.baseURL)"}
        probes:
          - name: web
            period: 100ms
            failure_threshold: 2
            check: {type: http, target: web, path: /healthz, timeout: 2s}
            alert: {type: service_down}
        """
    }

    func testOnlyTheLeaderRaisesAndTheNextLeaderResolves() throws {
        let harness = try ProbeHarness()
        let server = try LocalHTTPServer()
        defer { server.stop() }
        server.respond(to: "/healthz", with: .init(status: 500))
        let lockA = try LeaderLock(url: harness.url)
        let lockB = try LeaderLock(url: harness.url)
        defer { lockA.release(); lockB.release() }
        XCTAssertTrue(lockA.isLeader())
        let first = try harness.scheduler(config(server), engineID: "engine-a")
        let second = try harness.scheduler(config(server), engineID: "engine-b")
        harness.start(first) { lockA.isLeader() }
        harness.start(second) { lockB.isLeader() }
        try harness.eventually("the leader raises the alert") { try !harness.alerts("web").isEmpty }
        Thread.sleep(forTimeInterval: 0.6)
        XCTAssertEqual(try harness.alerts("web").count, 1)
        XCTAssertEqual(try harness.alerts("web")[0].int("count"), 1, "the follower raised nothing")
        XCTAssertFalse(lockB.isLeader())

        harness.stop(first)
        lockA.release()
        try harness.eventually("the follower becomes leader") { lockB.isLeader() }
        let samplesBefore = try harness.samples("web.status").count
        try harness.eventually("the new leader runs the probe") { try harness.samples("web.status").count >= samplesBefore + 4 }
        let alerts = try harness.alerts("web")
        XCTAssertEqual(alerts.count, 1)
        XCTAssertEqual(alerts[0].int("count"), 1, "the new leader knew the alert was raised and did not raise it again")

        server.respond(to: "/healthz", with: .init(status: 200))
        try harness.eventually("the new leader resolves it") { try harness.alerts("web").first?.string("status") == "resolved" }
    }

    func testAFollowerStoresNothing() throws {
        let harness = try ProbeHarness()
        let server = try LocalHTTPServer()
        defer { server.stop() }
        server.respond(to: "/healthz", with: .init(status: 500))
        let scheduler = try harness.scheduler(config(server))
        harness.start(scheduler) { false }
        Thread.sleep(forTimeInterval: 0.6)
        XCTAssertTrue(server.requests(to: "/healthz").isEmpty, "no checks ran")
        XCTAssertTrue(try harness.samples("web.status").isEmpty)
        XCTAssertTrue(try harness.alerts("web").isEmpty)
    }

    func testALeaderFindingAFiringProbeAlertResolvesItOnRecovery() throws {
        let harness = try ProbeHarness()
        let server = try LocalHTTPServer()
        defer { server.stop() }
        server.respond(to: "/healthz", with: .init(status: 200))
        let earlier = IncomingAlert(source: "probe", alertType: "service_down", title: "Probe web is failing", severity: .high,
                                    labels: ["probe": "web"], evidence: .object([:]), fingerprint: "probe:web", state: .firing)
        XCTAssertEqual(try IntakeRepository(connection: harness.connection).ingest([earlier]).opened, 1)
        let scheduler = try harness.scheduler(config(server))
        harness.start(scheduler) { true }
        try harness.eventually("the alert raised before is resolved") { try harness.alerts("web").first?.string("status") == "resolved" }
        XCTAssertEqual(try harness.alerts("web").count, 1)
    }
}
