import Foundation
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPostgres
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// The outbox against a real PostgreSQL and local servers speaking Slack's, Pushover's and
/// PagerDuty's protocols: enqueued with the transition, routed by SOP policy, every attempt
/// recorded, each service's retry rules applied, each delivery sent once across workers.
final class NotifierOutboxTests: XCTestCase {
    private var server: LocalHTTPServer!
    private var connection: PostgresConnection!
    private var url = ""

    override func setUpWithError() throws {
        server = try LocalHTTPServer()
        (connection, url) = try TestPostgres.migratedConnection()
        server.respond(to: "/slack", with: .init(body: "ok"))
        server.respond(to: "/pushover", with: .json(#"{"status":1,"request":"r1"}"#))
        server.respond(to: "/pagerduty", with: .json(#"{"status":"success","dedup_key":"k"}"#, status: 202))
    }

    override func tearDown() {
        server.stop()
        connection.close()
    }

    private var settings: NotificationSettings {
        NotificationSettings(slack: .init(webhookURLEnv: "SLACK_URL", channel: "#ops"),
                             pushover: .init(tokenEnv: "PO_TOKEN", userEnv: "PO_USER", url: server.baseURL + "/pushover"),
                             pagerduty: .init(routingKeyEnv: "PD_KEY", url: server.baseURL + "/pagerduty"), maxAttempts: 3)
    }

    private func worker(_ id: String = "w1") -> NotifierWorker {
        let environment = ["SLACK_URL": server.baseURL + "/slack", "PO_TOKEN": "tok-secret-1", "PO_USER": "user-key-1", "PD_KEY": "pd-key-1"]
        return NotifierWorker(conninfo: url, settings: settings, channels: NotifyRunners.channels(settings, environment: environment),
                              workerID: id, jitter: { 0 })
    }

    private func execution() throws -> UUID {
        try ExecutionRepository(connection: connection).openExecutionRow(alertID: nil, sop: nil, match: nil, mode: .auto, maxAttempts: 1,
                                                                         dryRun: false, in: connection)
    }

    private func event(_ kind: NotificationEvent.Kind, execution: UUID?, severity: Severity = .critical) -> NotificationEvent {
        NotificationEvent(kind: kind, executionID: execution, sopName: "database-connection-dropped", severity: severity,
                          title: "Database connection dropped", summary: "it broke", occurredAt: Date())
    }

    private let escalating = NotificationPolicy(slackChannel: "#db", pushover: .escalation, pagerduty: .escalation)

    private func attempts() throws -> [(channel: String, outcome: String, status: Int?, error: String?)] {
        try connection.query("SELECT channel, outcome, http_status, error FROM opsbrain_notification_attempts ORDER BY id").rows.map {
            ($0.string("channel") ?? "", $0.string("outcome") ?? "", $0.int("http_status"), $0.string("error"))
        }
    }

    private func makeDue() throws {
        try connection.query("UPDATE opsbrain_notification_deliveries SET next_attempt_at = now() WHERE status = 'pending'")
    }

    func testEscalationGoesToEveryChannelTheSOPNamesAndEachAttemptIsRecorded() throws {
        let id = try execution()
        try NotificationRepository(connection: connection).enqueue(event(.escalation, execution: id), policy: escalating)
        XCTAssertEqual(try worker().drain(connection), 3)
        XCTAssertEqual(server.requests(to: "/slack").count, 1)
        XCTAssertEqual(server.requests(to: "/pushover").count, 1)
        XCTAssertEqual(server.requests(to: "/pagerduty").count, 1)
        XCTAssertTrue(server.requests(to: "/slack")[0].bodyText.contains(##""channel":"#db""##))
        XCTAssertTrue(server.requests(to: "/pushover")[0].bodyText.contains("priority=2"))
        let recorded = try attempts()
        XCTAssertEqual(recorded.map(\.outcome), ["sent", "sent", "sent"])
        XCTAssertEqual(Set(recorded.compactMap(\.status)), [200, 202])
        let deliveries = try NotificationRepository(connection: connection).deliveries()
        XCTAssertEqual(deliveries.map(\.status), ["sent", "sent", "sent"])
        XCTAssertEqual(try worker().drain(connection), 0, "nothing is sent twice")
    }

    func testEnqueueIsPartOfTheTransactionAndIdempotent() throws {
        let id = try execution()
        struct Abort: Error {}
        XCTAssertThrowsError(try connection.transaction { tx in
            try NotificationRepository.enqueue(event(.escalation, execution: id), policy: escalating, in: tx)
            throw Abort()
        })
        XCTAssertEqual(try connection.query("SELECT count(*) AS n FROM opsbrain_notifications").first?.int("n"), 0)
        let repository = NotificationRepository(connection: connection)
        XCTAssertTrue(try repository.enqueue(event(.escalation, execution: id), policy: escalating))
        XCTAssertFalse(try repository.enqueue(event(.escalation, execution: id), policy: escalating), "a replayed transition")
    }

    func testSlackRateLimitIsRetriedAfterItsWaitThenSent() throws {
        server.respond(to: "/slack", with: .init(status: 429, body: "rate_limited", headers: ["Retry-After": "1"]))
        try NotificationRepository(connection: connection).enqueue(event(.fixApplied, execution: try execution()), policy: escalating)
        XCTAssertEqual(try worker().drain(connection), 1)
        let pending = try XCTUnwrap(NotificationRepository(connection: connection).deliveries().first)
        XCTAssertEqual(pending.status, "pending")
        XCTAssertEqual(pending.lastHTTPStatus, 429)
        XCTAssertEqual(pending.nextAttemptAt?.timeIntervalSinceNow ?? 0, 1, accuracy: 0.9)
        XCTAssertEqual(try worker().drain(connection), 0, "not due before Retry-After")
        server.respond(to: "/slack", with: .init(body: "ok"))
        Thread.sleep(forTimeInterval: 1.1)
        XCTAssertEqual(try worker().drain(connection), 1)
        XCTAssertEqual(try attempts().map { "\($0.outcome):\($0.status ?? 0)" }, ["retry:429", "sent:200"])
    }

    func testRefusedDeliveryFailsAtOnceAndIsCounted() throws {
        server.respond(to: "/slack", with: .init(status: 400, body: "invalid_payload"))
        try NotificationRepository(connection: connection).enqueue(event(.diagnosis, execution: try execution()), policy: escalating)
        try worker().drain(connection)
        let failed = try NotificationRepository(connection: connection).deliveries(failedOnly: true)
        XCTAssertEqual(failed.map(\.lastError), ["invalid_payload"])
        XCTAssertEqual(try attempts().map(\.outcome), ["failed"])
        XCTAssertEqual(try NotificationRepository(connection: connection).failedCount(from: Date().addingTimeInterval(-60),
                                                                                      to: Date().addingTimeInterval(60)), 1)
    }

    func testServerErrorsAreRetriedUntilTheAttemptsRunOut() throws {
        server.respond(to: "/pushover", with: .init(status: 500, body: "oops"))
        try NotificationRepository(connection: connection).enqueue(event(.escalation, execution: try execution(), severity: .high),
                                                                   policy: NotificationPolicy(pushover: .escalation))
        try worker().drain(connection)
        let first = try XCTUnwrap(NotificationRepository(connection: connection).deliveries().first { $0.channel == "pushover" })
        XCTAssertGreaterThanOrEqual(first.nextAttemptAt?.timeIntervalSinceNow ?? 0, 4, "Pushover: at least 5 s after a 5xx")
        for _ in 0..<2 {
            try makeDue()
            try worker().drain(connection)
        }
        let last = try XCTUnwrap(NotificationRepository(connection: connection).deliveries().first { $0.channel == "pushover" })
        XCTAssertEqual(last.status, "failed")
        XCTAssertEqual(last.attempts, 3)
        XCTAssertEqual(last.lastError, "gave up after 3 attempts: HTTP 500")
        XCTAssertEqual(try attempts().filter { $0.channel == "pushover" }.map(\.outcome), ["retry", "retry", "failed"])
    }

    func testSlackPostsAreSpacedAndA429HoldsTheChannelBack() throws {
        let repository = NotificationRepository(connection: connection)
        for _ in 0..<3 { try repository.enqueue(event(.fixApplied, execution: try execution()), policy: NotificationPolicy()) }
        let started = ContinuousClock.now
        XCTAssertEqual(try worker().drain(connection), 3)
        XCTAssertGreaterThanOrEqual(started.duration(to: .now), .seconds(2), "about one Slack message a second")

        server.respond(to: "/slack", with: .init(status: 429, body: "rate_limited", headers: ["Retry-After": "30"]))
        for _ in 0..<3 { try repository.enqueue(event(.fixApplied, execution: try execution()), policy: NotificationPolicy()) }
        XCTAssertEqual(try worker().drain(connection), 1, "after a 429 the rest wait instead of hitting the limit again")
        let waiting = try repository.deliveries().filter { $0.status == "pending" }
        XCTAssertEqual(waiting.map(\.attempts).sorted(), [0, 0, 1])
        XCTAssertEqual(try attempts().map(\.outcome), ["sent", "sent", "sent", "retry"])
    }

    func testPagerDutyResolvesOnlyTheIncidentItOpened() throws {
        let repository = NotificationRepository(connection: connection)
        let escalated = try execution(), quiet = try execution()
        try repository.enqueue(event(.escalation, execution: escalated), policy: escalating)
        try worker().drain(connection)
        try repository.enqueue(event(.resolved, execution: escalated), policy: escalating)
        try repository.enqueue(event(.resolved, execution: quiet), policy: escalating)
        try worker().drain(connection)
        let bodies = try server.requests(to: "/pagerduty").map { try JSONValue(parsing: $0.bodyText) }
        XCTAssertEqual(bodies.map { $0["event_action"]?.stringValue ?? "" }, ["trigger", "resolve"])
        XCTAssertEqual(bodies[0]["dedup_key"], bodies[1]["dedup_key"])
        XCTAssertEqual(bodies[1]["dedup_key"], .string("opsbrain-\(escalated.uuidString.lowercased())"))
        XCTAssertEqual(server.requests(to: "/pushover").count, 1, "no Pushover for resolutions")
    }

    func testTwoWorkersSendEachDeliveryOnce() throws {
        let repository = NotificationRepository(connection: connection)
        for _ in 0..<4 { try repository.enqueue(event(.fixApplied, execution: try execution()), policy: NotificationPolicy()) }
        server.respond(to: "/slack", with: .init(body: "ok", delay: .milliseconds(30)))
        let other = try PostgresConnection(conninfo: url)
        defer { other.close() }
        let group = DispatchGroup()
        let errors = ErrorBox()
        for (name, link) in [("w1", connection!), ("w2", other)] {
            let worker = worker(name)
            nonisolated(unsafe) let link = link
            group.enter()
            DispatchQueue.global().async {
                do { try worker.drain(link) } catch { errors.add(error) }
                group.leave()
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success)
        XCTAssertTrue(errors.all.isEmpty, "\(errors.all)")
        XCTAssertEqual(server.requests(to: "/slack").count, 4)
        XCTAssertEqual(try attempts().count, 4)
    }

    func testEngineEventsAreEnqueuedWithTheTransitionAndResolvedWithTheAlert() throws {
        let repository = ExecutionRepository(connection: connection)
        let alertID = try repository.insertAlert(source: "test", alertType: "db", title: "DB down", severity: "critical", labels: [:],
                                                 evidence: .object([:]), fingerprint: nil)
        let policy = NotificationPolicy(slackChannel: "#db", pushover: .escalation, pagerduty: .escalation)
        let sopID = try XCTUnwrap(connection.query("""
            INSERT INTO self_healing_sops (sop_name, category, agent, description, severity, content_hash, source_path, source_text,
                trigger_conditions, diagnosis_steps, fix_operations, verification_steps, risk_level, notification)
            VALUES ('database-connection-dropped', 'infrastructure', 'infra', 'd', 'critical', 'h', 'x.md', 'x', '{}', '[]', '[]', '{}',
                    'low', $1::jsonb) RETURNING id
            """, [policy.json]).first?.uuid("id"))
        let id = try repository.openExecutionRow(alertID: alertID, sop: (sopID, 1, "database-connection-dropped"), match: nil, mode: .auto,
                                                 maxAttempts: 1, dryRun: false, in: connection)
        let escalate = FixOperationSpec(id: "tell", name: "Tell the DBA", operation: .escalate,
                                        parameters: ["reason": .string("db down"), "action": .string("Page the DBA on call")])
        let sop = SOPDefinition(name: "database-connection-dropped", category: "infrastructure", agent: .infra, description: "d",
                                severity: .critical, risk: .low, trigger: TriggerRule(), diagnosis: [], fix: [escalate], notification: policy)
        var state = try XCTUnwrap(repository.load(id)).state
        state.status = .escalated
        state.escalationReason = "The database is unreachable"
        var patch = ExecutionPatch()
        patch.applicableFixes = ["tell"]
        try repository.transition(id, from: .pending, to: state, patch: patch,
                                  audit: AuditEntry(kind: "status_escalated", actor: "test", message: "escalated")) { tx in
            try NotifierEvents.enqueue(executionID: id, sop: sop, in: tx)
        }
        try worker().drain(connection)
        let slack = try XCTUnwrap(server.requests(to: "/slack").first).bodyText
        XCTAssertTrue(slack.contains("The database is unreachable"), slack)
        XCTAssertTrue(slack.contains("*Action needed:* Page the DBA on call"), slack)
        XCTAssertTrue(slack.contains(##""channel":"#db""##), slack)
        XCTAssertTrue(try XCTUnwrap(server.requests(to: "/pushover").first).bodyText.contains("priority=2"))

        try connection.transaction { tx in
            try tx.query("UPDATE intelligence_alerts SET status = 'resolved', resolved_at = now() WHERE id = $1::uuid", [alertID])
            try NotifierEvents.enqueueResolved(alertID: alertID, in: tx)
        }
        try worker().drain(connection)
        XCTAssertTrue(server.requests(to: "/slack").last?.bodyText.contains("Resolved: DB down") == true)
        let incidents = try server.requests(to: "/pagerduty").map { try JSONValue(parsing: $0.bodyText)["event_action"]?.stringValue ?? "" }
        XCTAssertEqual(incidents, ["trigger", "resolve"], "the SOP's stored policy routes the resolution")
        XCTAssertEqual(server.requests(to: "/pushover").count, 1)
    }

    /// An escalated run of the unknown path (no SOP) for an alert of `severity`.
    private func unknownEscalation(severity: String) throws -> UUID {
        let repository = ExecutionRepository(connection: connection)
        let alertID = try repository.insertAlert(source: "alertmanager", alertType: "NginxDown", title: "nginx down \(severity)",
                                                 severity: severity, labels: [:], evidence: .object([:]), fingerprint: nil)
        let id = try repository.openExecutionRow(alertID: alertID, sop: nil, match: nil, mode: .auto, maxAttempts: 1, dryRun: false,
                                                 in: connection)
        var state = try XCTUnwrap(repository.load(id)).state
        state.status = .escalated
        state.escalationReason = "unknown problem: no SOP matches this alert"
        try repository.transition(id, from: .pending, to: state, patch: ExecutionPatch(),
                                  audit: AuditEntry(kind: "status_escalated", actor: "test", message: "escalated")) { tx in
            try NotifierEvents.enqueue(executionID: id, sop: nil, in: tx)
        }
        return alertID
    }

    func testUnknownAlertsPageBySeverityAndTheirResolveClosesThePage() throws {
        let critical = try unknownEscalation(severity: "critical")
        _ = try unknownEscalation(severity: "medium")
        try worker().drain(connection)
        XCTAssertEqual(try server.requests(to: "/pagerduty").count, 1, "seen: unknown alerts never paged, whatever their severity")
        XCTAssertEqual(try server.requests(to: "/pushover").count, 2, "every escalation reaches Pushover")
        try connection.transaction { tx in
            try tx.query("UPDATE intelligence_alerts SET status = 'resolved', resolved_at = now() WHERE id = $1::uuid", [critical])
            try NotifierEvents.enqueueResolved(alertID: critical, in: tx)
        }
        try worker().drain(connection)
        let incidents = try server.requests(to: "/pagerduty").map { try JSONValue(parsing: $0.bodyText)["event_action"]?.stringValue ?? "" }
        XCTAssertEqual(incidents, ["trigger", "resolve"])
    }

    func testStatesThatAnnounceNothingEnqueueNothing() throws {
        let id = try execution()
        try connection.transaction { tx in try NotifierEvents.enqueue(executionID: id, sop: nil, in: tx) }
        XCTAssertEqual(try connection.query("SELECT count(*) AS n FROM opsbrain_notifications").first?.int("n"), 0, "pending says nothing")
    }
}

/// Errors collected from several threads.
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [Error] = []
    func add(_ error: Error) { lock.withLock { errors.append(error) } }
    var all: [Error] { lock.withLock { errors } }
}
