import Foundation
import OpsBrainCore
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// The console's reads against a real PostgreSQL: keyset pages, filters, approvals, SOP outcomes, audit filters.
final class ConsoleQueriesTests: XCTestCase {
    private func insertAlerts(_ connection: PostgresConnection, count: Int) throws {
        // Three alerts share each timestamp, so the id must break ties.
        try connection.query("""
            INSERT INTO intelligence_alerts (alert_type, title, severity, source, created_at)
            SELECT CASE WHEN i % 10 = 0 THEN 'disk_usage_high' ELSE 'jobs_failed' END,
                   CASE WHEN i % 10 = 0 THEN 'Disk full ' ELSE 'Jobs failing ' END || i, 'high', 'test',
                   '2026-01-01 00:00:00+00'::timestamptz + (i / 3) * interval '1 second'
            FROM generate_series(1, $1::int) i
            """, [count])
    }

    func testAlertPagesVisitEveryRowOnceNewestFirst() throws {
        let (connection, _) = try TestPostgres.migratedConnection()
        defer { connection.close() }
        try insertAlerts(connection, count: 450)
        let queries = ConsoleQueries(connection: connection)
        var seen: [UUID] = []
        var page = try queries.alerts(.newest(limit: 200))
        while !page.isEmpty {
            seen += page.map(\.id)
            page = try queries.alerts(.olderThan(page.last!.key, limit: 200))
        }
        let expected = try connection.query("SELECT id FROM intelligence_alerts ORDER BY created_at DESC, id DESC").rows.compactMap { $0.uuid("id") }
        XCTAssertEqual(seen, expected, "keyset pages join up with no row missed or repeated")
        let oldest = try queries.alerts(.oldest(limit: 100))
        XCTAssertEqual(oldest.map(\.id), Array(expected.suffix(100)), "the oldest page comes back newest first")
        let newer = try queries.alerts(.newerThan(oldest.first!.key, limit: 50))
        XCTAssertEqual(newer.map(\.id), Array(expected.dropLast(100).suffix(50)))
        let all = try queries.alerts(.newest(limit: 450))
        let window = try queries.alerts(.between(newest: all[10].key, oldest: all[40].key, limit: 1000))
        XCTAssertEqual(window.map(\.id), Array(expected[10...40]), "a window refresh reads exactly its own rows")
    }

    func testAlertsSortBySeverityStatusAndCountNewestFirstWithin() throws {
        let (connection, _) = try TestPostgres.migratedConnection()
        defer { connection.close() }
        try connection.query("""
            INSERT INTO intelligence_alerts (alert_type, title, severity, status, count, created_at) VALUES
              ('t', 'low firing', 'low', 'firing', 1, now() - interval '4 minutes'),
              ('t', 'critical resolved', 'critical', 'resolved', 2, now() - interval '3 minutes'),
              ('t', 'high firing', 'high', 'firing', 9, now() - interval '2 minutes'),
              ('t', 'critical firing', 'critical', 'firing', 3, now() - interval '1 minute')
            """)
        let queries = ConsoleQueries(connection: connection)
        func titles(_ sort: AlertSort) throws -> [String] { try queries.alerts(.newest(limit: 10), sort: sort).map(\.title) }
        XCTAssertEqual(try titles(.age), ["critical firing", "high firing", "critical resolved", "low firing"])
        XCTAssertEqual(try titles(.severity), ["critical firing", "critical resolved", "high firing", "low firing"])
        XCTAssertEqual(try titles(.status), ["critical firing", "high firing", "low firing", "critical resolved"])
        XCTAssertEqual(try titles(.count), ["high firing", "critical firing", "critical resolved", "low firing"])
    }

    func testAlertGroupsByTypeCountFiringStormsAndSnoozes() throws {
        let (connection, _) = try TestPostgres.migratedConnection()
        defer { connection.close() }
        try connection.query("""
            INSERT INTO intelligence_alerts (alert_type, title, severity, status) VALUES
              ('disk_full', 'a', 'high', 'firing'), ('disk_full', 'b', 'critical', 'firing'), ('disk_full', 'c', 'low', 'resolved'),
              ('latency', 'd', 'medium', 'firing')
            """)
        try connection.query("""
            UPDATE intelligence_alerts SET snoozed_until = now() + interval '1 hour', snoozed_by = 'ana' WHERE title = 'd'
            """)
        let groups = try ConsoleQueries(connection: connection).alertGroups(by: .type)
        XCTAssertEqual(groups.map(\.name), ["disk_full", "latency"], "groups with firing alerts first; a snoozed one is not firing")
        XCTAssertEqual(groups.first?.total, 3)
        XCTAssertEqual(groups.first?.firing, 2)
        XCTAssertEqual(groups.first?.worstSeverity, "critical")
        XCTAssertEqual(groups.last?.firing, 0)
        XCTAssertEqual(try ConsoleQueries(connection: connection).alertGroups(by: .sop).map(\.name), ["(no SOP)"])
        XCTAssertEqual(try ConsoleQueries(connection: connection).alerts(.newest(limit: 10), filter: ListFilter(pattern: "^disk_full "))
            .map(\.title).sorted(), ["a", "b", "c"], "Enter on a type group filters on the type exactly")
    }

    func testRegexFilterInverseAndBadPatterns() throws {
        let (connection, _) = try TestPostgres.migratedConnection()
        defer { connection.close() }
        try insertAlerts(connection, count: 100)
        let queries = ConsoleQueries(connection: connection)
        let disks = try queries.alerts(.newest(limit: 500), filter: ListFilter(pattern: "DISK FULL"))
        XCTAssertEqual(disks.count, 10, "case-insensitive")
        XCTAssertTrue(disks.allSatisfy { $0.alertType == "disk_usage_high" })
        XCTAssertEqual(try queries.alerts(.newest(limit: 500), filter: ListFilter(pattern: "disk", inverted: true)).count, 90)
        XCTAssertThrowsError(try queries.alerts(.newest(limit: 10), filter: ListFilter(pattern: "(unclosed"))) {
            XCTAssertEqual(($0 as? PostgresError)?.sqlState, "2201B")
        }
    }

    func testPendingApprovalsCarryThePlansAndLeaveOnceDecided() throws {
        let database = try ConsoleTestDatabase()
        let id = try database.executionAwaitingApproval()
        let queries = ConsoleQueries(connection: database.connection)
        let pending = try queries.pendingApprovals()
        XCTAssertEqual(pending.map(\.executionID), [id])
        let approval = try XCTUnwrap(pending.first)
        XCTAssertEqual(approval.sopName, "failed-jobs")
        XCTAssertEqual(approval.risk, "low")
        XCTAssertEqual(approval.operations.first?["operation"]?.stringValue, "queue_retry")
        XCTAssertTrue(approval.operations.first?["plan"]?.stringValue?.contains("UPDATE jobs") ?? false, "\(approval.operations)")
        XCTAssertEqual(approval.diagnosis?["steps"]?["failed_jobs"]?["verdict"]?.stringValue, "failed")
        XCTAssertNotNil(approval.breakdown?["total"])
        let detail = try XCTUnwrap(try queries.executionDetail(id))
        XCTAssertEqual(detail.execution.status, "awaiting_approval")
        XCTAssertEqual(detail.steps.map(\.stepID), ["failed_jobs"])
        XCTAssertNil(detail.approval?.decision)
        try ApprovalRepository(connection: database.connection).decide(id, approve: true, approver: Approver(name: "ana", address: "10.0.0.7"),
                                                                       reason: nil)
        XCTAssertEqual(try queries.pendingApprovals().count, 0)
        XCTAssertEqual(try queries.executionDetail(id)?.approval?.decidedFrom, "10.0.0.7")
        XCTAssertEqual(try queries.counts().pendingApprovals, 0)
    }

    func testSOPStatsListRecentOutcomesOldestFirstWithoutDryRuns() throws {
        let database = try ConsoleTestDatabase()
        let connection = database.connection
        let sop = try XCTUnwrap(try connection.query("SELECT id FROM self_healing_sops WHERE sop_name = 'failed-jobs'").first?.string("id"))
        for (offset, status) in ["success", "failed", "dry_run", "escalated", "fixing", "success"].enumerated() {
            try connection.query("""
                INSERT INTO self_healing_executions (sop_id, status, dry_run, started_at)
                VALUES ($1::uuid, $2, $3, now() - make_interval(mins => $4))
                """, [sop, status, status == "dry_run", 60 - offset])
        }
        let stats = try XCTUnwrap(try ConsoleQueries(connection: connection).sopStats().first)
        XCTAssertEqual(stats.name, "failed-jobs")
        XCTAssertEqual(stats.recentOutcomes, ["success", "failed", "escalated", "success"])
        XCTAssertEqual(stats.fixMode, "approval")
        XCTAssertEqual(try ConsoleQueries(connection: connection).sopStats(filter: ListFilter(pattern: "nothing-like-it")).count, 0)
        XCTAssertEqual(try ConsoleQueries(connection: connection).sopNames(), ["failed-jobs"])
    }

    /// The SOP view's figures come from one count: the bars of fixes that worked and failed are the
    /// success rate's numerator and the rest, the last run is the newest bar, the last failure a
    /// failed bar.
    func testTheSOPViewsFiguresAgreeWithEachOther() throws {
        let database = try ConsoleTestDatabase()
        let connection = database.connection
        let sop = try XCTUnwrap(try connection.query("SELECT id FROM self_healing_sops WHERE sop_name = 'failed-jobs'").first?.string("id"))
        let repository = ExecutionRepository(connection: connection)
        let runs: [(status: String, effective: Bool?)] = [("success", true), ("escalated", false), ("escalated", nil), ("rejected", nil),
                                                          ("rolled_back", true)]
        for (offset, run) in runs.enumerated() {
            let id = try XCTUnwrap(try connection.query("""
                INSERT INTO self_healing_executions (sop_id, status, started_at, completed_at)
                VALUES ($1::uuid, $2, now() - make_interval(mins => $3), now() - make_interval(mins => $3 - 1)) RETURNING id
                """, [sop, run.status, 50 - offset * 10]).first?.uuid("id"))
            if let effective = run.effective {
                try connection.transaction { tx in
                    try repository.recordOutcome(executionID: id, effective: effective, failureReason: effective ? nil : "fix did not verify", in: tx)
                }
            }
        }
        let stats = try XCTUnwrap(try ConsoleQueries(connection: connection).sopStats().first)
        XCTAssertEqual(stats.recentOutcomes, ["success", "failed", "escalated", "rejected", "rolled_back"],
                       "seen: a fix that failed showed as 'escalated' beside a success rate that counted it as a failure")
        XCTAssertEqual(stats.recentOutcomes.filter { ["success", "rolled_back"].contains($0) }.count, stats.timesSuccessful)
        XCTAssertEqual(stats.recentOutcomes.filter { $0 == "failed" }.count, stats.timesExecuted - stats.timesSuccessful)
        let newest = try XCTUnwrap(try connection.query("SELECT max(completed_at) AS at FROM self_healing_executions").first?.date("at"))
        XCTAssertEqual(try XCTUnwrap(stats.lastRunAt).timeIntervalSince1970, newest.timeIntervalSince1970, accuracy: 0.001,
                       "the last run is the newest bar, not the last counted fix")
        XCTAssertEqual(stats.lastFailureReason, "fix did not verify")
    }

    func testAuditFiltersAndPages() throws {
        let (connection, _) = try TestPostgres.migratedConnection()
        defer { connection.close() }
        let execution = UUID()
        try connection.transaction { tx in
            for index in 0..<30 {
                try AuditTrail.append(kind: index % 3 == 0 ? "approval_approved" : "decision", actor: index % 2 == 0 ? "human:ana" : "engine:e1",
                                      message: "row \(index)", executionID: index < 10 ? execution : nil, in: tx)
            }
        }
        let queries = ConsoleQueries(connection: connection)
        let newest = try queries.audit(.newest(limit: 12))
        XCTAssertEqual(newest.map(\.message).first, "row 29")
        let older = try queries.audit(.olderThan(newest.last!.key, limit: 100))
        XCTAssertEqual(newest.count + older.count, 30)
        XCTAssertEqual(Set(newest.map(\.id)).intersection(older.map(\.id)), [])
        XCTAssertEqual(try queries.audit(.newest(limit: 100), filter: AuditFilter(kind: "approval_approved")).count, 10)
        XCTAssertEqual(try queries.audit(.newest(limit: 100), filter: AuditFilter(actor: "human:ana",
                                                                                   executionPrefix: execution.uuidString.lowercased())).count, 5)
        XCTAssertEqual(try queries.audit(.newest(limit: 100), filter: AuditFilter(actor: "human:ana",
                                                                                   executionPrefix: String(execution.uuidString.lowercased().prefix(8)))).count, 5,
                       "the 8 characters lists show find the same rows")
        XCTAssertEqual(try queries.audit(.newest(limit: 100), filter: AuditFilter(text: ListFilter(pattern: "row 1[0-9]$"))).count, 10,
                       "the regex runs over the message too")
        XCTAssertEqual(try queries.audit(.oldest(limit: 5)).map(\.message), ["row 4", "row 3", "row 2", "row 1", "row 0"])
        try connection.query("""
            INSERT INTO self_healing_audit_log (actor, kind, message, at)
            SELECT 'engine:e1', 'decision', 'old ' || i, now() - interval '2 hours' FROM generate_series(1, 3) i
            """)
        XCTAssertEqual(try queries.audit(.newest(limit: 100), filter: AuditFilter(sinceSeconds: 3600)).count, 30, "a time window")
        XCTAssertEqual(try queries.audit(.newest(limit: 100), filter: AuditFilter(sinceSeconds: 3 * 3600)).count, 33)
    }
}
