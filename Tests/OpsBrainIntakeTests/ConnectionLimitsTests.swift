import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainIntake
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// The server under many connections: slow clients hold no worker, keep-alive lasts, and a
/// saturated worker pool answers 503 with Retry-After instead of hanging.
final class ConnectionLimitsTests: XCTestCase {
    private var server: HTTPServer?
    private var connection: PostgresConnection!

    override func tearDown() {
        server?.stop()
        connection?.close()
    }

    private func startIntake(limits: HTTPServer.Limits = HTTPServer.Limits()) throws -> Int {
        let (connection, url) = try TestPostgres.migratedConnection()
        self.connection = connection
        server = try IntakeAssembly.start(listen: "127.0.0.1:0", config: OpsBrainConfig(), conninfo: url, metrics: MetricsRegistry(),
                                          isLeader: { true }, environment: [:], limits: limits)
        return server!.port
    }

    /// How long one `GET /healthz` takes on a fresh connection, and its status.
    private func timedHealth(port: Int) throws -> (Duration, Int?) {
        let start = ContinuousClock.now
        let raw = try RawConnection(port: port)
        raw.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        let status = raw.answers(1, timeout: .seconds(5)).first?.status
        return (start.duration(to: .now), status)
    }

    func testTwoHundredSlowClientsDoNotDelayHealth() throws {
        let port = try startIntake()
        let slow = try (0..<200).map { _ in try RawConnection(port: port) }
        for client in slow { client.send("POST /api/v1/alerts HTTP/1.1\r\n") }
        let holdUntil = ContinuousClock.now + .seconds(10)
        var line = 0
        var slowest = Duration.zero
        while ContinuousClock.now < holdUntil {
            for client in slow { client.send("X-Slow-\(line): one line a second\r\n") }
            line += 1
            let (elapsed, status) = try timedHealth(port: port)
            XCTAssertEqual(status, 200)
            slowest = max(slowest, elapsed)
            Thread.sleep(forTimeInterval: 1)
        }
        XCTAssertLessThan(slowest, .seconds(1), "/healthz answered within 1 s while 200 clients trickled headers")
        let cut = slow[0].answers(1, timeout: .seconds(5)).first?.status
        XCTAssertEqual(cut, 408, "a client that does not finish its request within the read timeout is answered 408")
    }

    func testATrickledRequestIsCutAtTheReadTimeout() throws {
        var limits = HTTPServer.Limits()
        limits.readTimeout = .seconds(1)
        let port = try startIntake(limits: limits)
        let raw = try RawConnection(port: port)
        raw.send("GET /healthz HTTP/1.1\r\nHost: x\r\n")
        XCTAssertEqual(raw.answers(1, timeout: .seconds(5)).first?.status, 408)
        XCTAssertTrue(raw.waitForClose(timeout: .seconds(2)))
    }

    func testAThousandKeepAliveRequestsShareOneConnection() throws {
        let port = try startIntake()
        let raw = try RawConnection(port: port)
        for _ in 0..<1000 {
            raw.send("GET /api/v1/nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
            guard let answer = raw.answers(1, timeout: .seconds(5)).first else { return XCTFail("no answer on the kept connection") }
            XCTAssertEqual(answer.status, 404)
            XCTAssertNotEqual(answer.headers["connection"], "close")
        }
        XCTAssertFalse(raw.closedByPeer)
        raw.send("GET /api/v1/nowhere HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        XCTAssertEqual(raw.answers(1).first?.status, 404)
        XCTAssertFalse(raw.closedByPeer, "an HTTP/1.0 client that asks for keep-alive keeps its connection")
    }

    func testASaturatedPoolAnswers503WithRetryAfter() throws {
        var limits = HTTPServer.Limits()
        limits.workers = 1
        limits.queued = 0
        let release = DispatchSemaphore(value: 0)
        let entered = DispatchSemaphore(value: 0)
        let server = HTTPServer(host: "127.0.0.1", port: 0, limits: limits) { _ in
            entered.signal()
            release.wait()
            return .text(200, "done")
        }
        try server.start()
        self.server = server
        let first = try RawConnection(port: server.port)
        first.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(entered.wait(timeout: .now() + 5), .success, "the first request occupies the only worker")
        let second = try RawConnection(port: server.port)
        second.send("GET /other HTTP/1.1\r\nHost: x\r\n\r\n")
        let busy = second.answers(1, timeout: .seconds(5)).first
        XCTAssertEqual(busy?.status, 503)
        XCTAssertEqual(busy?.headers["retry-after"], "1")
        release.signal()
        XCTAssertEqual(first.answers(1, timeout: .seconds(5)).first?.status, 200)
    }
}
