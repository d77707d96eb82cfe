import Foundation
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPostgres
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// The background threads as an engine runs them: the outbox worker wakes on NOTIFY, the
/// scheduler produces the day's report only while its engine leads.
final class NotifierThreadsTests: XCTestCase {
    private func waitFor(_ timeout: TimeInterval, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return try condition()
    }

    func testWorkerThreadDeliversSoonAfterTheCommit() throws {
        let (connection, url) = try TestPostgres.migratedConnection()
        defer { connection.close() }
        let slack = try LocalHTTPServer()
        defer { slack.stop() }
        slack.respond(to: "/hook", with: .init(body: "ok"))
        let settings = NotificationSettings(slack: .init(webhookURLEnv: "HOOK"))
        let worker = NotifierWorker(conninfo: url, settings: settings,
                                    channels: NotifyRunners.channels(settings, environment: ["HOOK": slack.baseURL + "/hook"]), workerID: "t")
        let loop = BackgroundLoop { worker.run(until: $0) }
        defer { loop.stop() }
        Thread.sleep(forTimeInterval: 0.5)
        let started = Date()
        try NotificationRepository(connection: connection).enqueue(
            NotificationEvent(kind: .escalation, severity: .high, title: "x", summary: "y", occurredAt: Date()), policy: NotificationPolicy())
        XCTAssertTrue(waitFor(4) { !slack.requests.isEmpty })
        XCTAssertLessThan(Date().timeIntervalSince(started), 2, "woken by NOTIFY, not by the 5 s idle wait")
    }

    func testSchedulerProducesTheReportOnlyWhileLeading() throws {
        let (connection, url) = try TestPostgres.migratedConnection()
        defer { connection.close() }
        let leading = Flag()
        let settings = OperationsSettings(report: ReportSettings(dailyHour: 0, dailyMinute: 0, send: false))
        let scheduler = SchedulerService(conninfo: url, settings: settings, timeZone: TimeZone(identifier: "UTC")!, model: nil,
                                         engineID: "engine-t", isLeader: { leading.value })
        let loop = BackgroundLoop { scheduler.run(until: $0) }
        defer { loop.stop() }
        let count = { try connection.query("SELECT count(*) AS n FROM opsbrain_daily_reports").first?.int("n") ?? 0 }
        Thread.sleep(forTimeInterval: 1)
        XCTAssertEqual(try count(), 0, "a follower produces nothing")
        leading.value = true
        let tick = try scheduler.tick(connection, now: Date())
        XCTAssertEqual(tick.first, "daily report \(DailyReportBuilder.day(of: Date(), in: TimeZone(identifier: "UTC")!))")
        XCTAssertEqual(try count(), 1)
        XCTAssertEqual(try scheduler.tick(connection, now: Date()).count, 0, "once a day")
    }
}

/// A flag shared with a background thread.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var state = false
    var value: Bool {
        get { lock.withLock { state } }
        set { lock.withLock { state = newValue } }
    }
}
