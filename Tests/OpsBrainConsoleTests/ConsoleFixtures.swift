import Foundation
import OpsBrainConsole
import OpsBrainCore
import OpsBrainPostgres

/// Fixed console states for golden screens: a busy morning with alerts, runs, approvals, SOPs and audit rows.
enum ConsoleFixtures {
    static let now = Date(timeIntervalSince1970: 1_772_632_800) // 2026-03-04 14:00:00 UTC
    static let formatting = Formatting(timeZone: TimeZone(identifier: "UTC")!)

    static func id(_ number: Int) -> UUID {
        UUID(uuidString: String(format: "%08x-0000-4000-8000-%012x", number, number))!
    }

    static func key(_ date: Date, _ id: UUID) -> KeysetKey { KeysetKey(time: "\(date.timeIntervalSince1970)", id: id.uuidString.lowercased()) }

    static func ago(_ seconds: Double) -> Date { now.addingTimeInterval(-seconds) }

    static var alerts: [ConsoleAlert] {
        let rows: [(String, String, String, String, Int, String?)] = [
            ("critical", "disk_usage_high", "Disk almost full on db-1 (/var at 97%)", "prometheus", 3, "awaiting_approval"),
            ("high", "jobs_failed", "Background jobs failing: 42 failed in 10 minutes", "sql", 1, "fixing"),
            ("medium", "temp_dir_growth", "Temp directory growing fast", "cli", 12, "success"),
            ("low", "latency_high", "p95 latency above 800 ms on /api/search", "grafana", 1, "escalated"),
            ("info", "cert_expiry", "TLS certificate for app.example.com expires in 20 days", "probe", 1, nil),
            ("high", "queue_backlog", "Queue backlog: 12,400 messages waiting", "alertmanager", 2, "failed"),
        ]
        return rows.enumerated().map { index, row in
            let created = ago(Double(index * 95 + 30))
            let alertID = id(100 + index)
            var alert = ConsoleAlert(id: alertID, key: key(created, alertID), createdAt: created, lastSeenAt: ago(Double(index * 10)),
                                source: row.3, alertType: row.1, title: row.2, severity: row.0, status: index == 2 ? "resolved" : "firing",
                                count: row.4, fingerprint: index == 0 ? "db-1:/var" : nil,
                                labels: index == 0 ? ["host": "db-1", "mount": "/var"] : [:],
                                evidence: index == 0 ? .object(["used_percent": .number(97), "free_gb": .number(3.2)]) : .object([:]),
                                executionID: row.5 == nil ? nil : id(200 + index), executionStatus: row.5)
            if index == 0 { alert.handling = AlertHandling(acknowledgedBy: "ana", acknowledgedAt: ago(12)) }
            if index == 4 { alert.handling = AlertHandling(snoozedBy: "bo", snoozedUntil: now.addingTimeInterval(2700)) }
            return alert
        }
    }

    static var cjkAlerts: [ConsoleAlert] {
        var rows = alerts
        rows[0].title = "磁盘快满了：db-1 的 /var 已用 97%"
        rows[1].title = "バックグラウンドジョブが失敗しています"
        rows[2].title = "임시 디렉터리가 빠르게 커지고 있습니다"
        return rows
    }

    static var executions: [ConsoleExecution] {
        let rows: [(String, String, String, Int?, String)] = [
            ("awaiting_approval", "disk-filling", "Disk almost full on db-1 (/var at 97%)", 74, "approval_required"),
            ("fixing", "failed-jobs", "Background jobs failing: 42 failed in 10 minutes", 88, "auto_fix"),
            ("success", "temp-directory-growth", "Temp directory growing fast", 91, "auto_fix"),
            ("escalated", "latency-high", "p95 latency above 800 ms on /api/search", 41, "escalate"),
            ("failed", "queue-backlog", "Queue backlog: 12,400 messages waiting", 66, "auto_fix"),
            ("dry_run", "disk-filling", "Dry run of disk-filling", 70, "approval_required"),
        ]
        return rows.enumerated().map { index, row in
            let started = ago(Double(index * 95 + 25))
            let executionID = id(200 + index)
            let finished = ["success", "escalated", "failed", "dry_run"].contains(row.0)
            return ConsoleExecution(id: executionID, key: key(started, executionID), status: row.0, sopName: row.1,
                                    alertTitle: index == 5 ? nil : row.2, alertSeverity: index == 5 ? nil : "high", confidence: row.3,
                                    decision: row.4, mode: "approval", dryRun: index == 5, attempts: index == 0 ? 0 : 1,
                                    startedAt: started, fixStartedAt: index == 1 ? ago(Double(index * 95 + 20)) : nil,
                                    completedAt: finished ? started.addingTimeInterval(12.4) : nil,
                                    resolutionMs: finished ? 12_400 : nil, approvedBy: index == 2 ? "ana" : nil)
        }
    }

    static var plans: JSONValue {
        .array([
            .object(["id": .string("clean_tmp"), "operation": .string("temp_cleanup"), "class": .string("routine"),
                     "plan": .string("delete 65 files older than 1d under /var/tmp/app (412 MB)"), "can_roll_back": .bool(true)]),
            .object(["id": .string("rotate_logs"), "operation": .string("log_rotation"), "class": .string("routine"),
                     "plan": .string("rotate /var/log/app/*.log larger than 100 MB, keep 5; the writer (pid 4242, app.py) "
                                     + "reopens its log on SIGHUP, and the rotation counts only when it writes to the new file"),
                     "can_roll_back": .bool(false)]),
        ])
    }

    static var diagnosis: JSONValue {
        .object(["findings": .array([.string("disk_usage: used_percent 97 > 90"), .string("temp_total: 412 MB of stale files")]),
                 "clarity": .number(80),
                 "steps": .object([
                    "disk_usage": .object(["verdict": .string("failed"), "values": .object(["used_percent": .number(97)]), "expect": diskExpectation]),
                    "temp_total": .object(["verdict": .string("failed"), "values": .object(["size_mb": .number(412)])]),
                 ])])
    }

    static var diskExpectation: JSONValue {
        .object(["used_percent": .object(["expected": .string("≤ 90"), "holds": .bool(false)])])
    }

    static var breakdown: JSONValue {
        .object(["success_rate": .number(80), "success_rate_source": .string("history"), "diagnosis_clarity": .number(80),
                 "pattern_match": .number(60), "environment": .number(50), "total": .number(74)])
    }

    static var executionDetail: ConsoleExecutionDetail {
        let execution = executions[0]
        return ConsoleExecutionDetail(
            execution: execution, breakdown: breakdown, diagnosis: diagnosis,
            approval: ConsoleApprovalDecision(requestedAt: ago(20), summary: .object([
                "sop": .string("disk-filling"), "risk": .string("medium"), "reason": .string("approval mode: every fix waits for a human"),
                "confidence": .number(74), "operations": plans])),
            steps: [
                ConsoleStep(phase: "diagnosis", stepID: "disk_usage", attempt: 0, status: "succeeded",
                            result: .object(["verdict": .string("failed"), "values": .object(["used_percent": .number(97)]), "expect": diskExpectation]),
                            startedAt: ago(24.5), finishedAt: ago(24.2)),
                ConsoleStep(phase: "diagnosis", stepID: "temp_total", attempt: 0, status: "succeeded",
                            result: .object(["verdict": .string("failed"), "values": .object(["size_mb": .number(412)])]),
                            startedAt: ago(24.2), finishedAt: ago(23.1)),
            ])
    }

    static var approvals: [ConsoleApproval] {
        [ConsoleApproval(executionID: id(200), requestedAt: ago(20), summary: executionDetail.approval!.summary, sopName: "disk-filling",
                         alertTitle: "Disk almost full on db-1 (/var at 97%)", alertSeverity: "critical", confidence: 74,
                         diagnosis: diagnosis, breakdown: breakdown),
         ConsoleApproval(executionID: id(206), requestedAt: ago(400), summary: .object([
            "sop": .string("cache-stale"), "risk": .string("high"), "reason": .string("high risk needs approval"),
            "operations": .array([.object(["id": .string("flush"), "operation": .string("cache_clear"), "class": .string("routine"),
                                           "plan": .string("DEL cache:search:* on redis 127.0.0.1:6379 (1,204 keys)")])])]),
            sopName: "cache-stale", alertTitle: "Search results stale", alertSeverity: "medium", confidence: 58)]
    }

    static var sops: [ConsoleSOPStats] {
        [ConsoleSOPStats(name: "disk-filling", category: "infrastructure", risk: "medium", version: 3, autoFix: true, requiresApproval: true,
                         timesExecuted: 20, timesSuccessful: 17, averageResolutionMs: 48_000, lastExecutedAt: ago(3600), lastRunAt: ago(900),
                         lastFailureAt: ago(86_400 * 2), lastFailureReason: "verification: still above 90%",
                         recentOutcomes: ["success", "success", "failed", "success", "escalated", "success", "rolled_back", "success"]),
         ConsoleSOPStats(name: "failed-jobs", category: "data", risk: "low", version: 1, autoFix: true, requiresApproval: false,
                         timesExecuted: 5, timesSuccessful: 5, averageResolutionMs: 2_300, recentOutcomes: ["success", "success", "success"]),
         ConsoleSOPStats(name: "cache-stale", category: "data", risk: "high", version: 2, autoFix: false, requiresApproval: true,
                         modeOverride: "diagnose_only")]
    }

    static var audit: [ConsoleAuditEntry] {
        let rows: [(String, String, String)] = [
            ("human:ana", "approval_approved", "approved by ana from 10.0.0.7"),
            ("engine:db-1:4242:ab12cd", "decision", "approval_required: approval mode: every fix waits for a human (confidence 74)"),
            ("engine:db-1:4242:ab12cd", "status_diagnosing", "diagnosing"),
            ("engine:db-1:4242:ab12cd", "alert_received", "Disk almost full on db-1 (/var at 97%)"),
        ]
        return rows.enumerated().map { index, row in
            ConsoleAuditEntry(id: 5000 - index, at: ago(Double(index * 7 + 5)), actor: row.0, kind: row.1, executionID: id(200),
                              alertID: id(100), sopName: "disk-filling", message: row.2,
                              details: index == 0 ? .object(["from": .string("10.0.0.7")]) : .object([:]))
        }
    }

    /// A state with every list loaded, on `view`, at `width`×`height`.
    static func state(_ view: ViewID, width: Int, height: Int, cjk: Bool = false) -> ConsoleState {
        var state = ConsoleState(width: width, height: height)
        state.now = now
        state.view = view
        state.status = StatusInfo(databaseUp: true, databaseText: "PostgreSQL at socket /tmp", enginesAlive: 2,
                                  leader: "db-1:4242:ab12cd", mode: "approval", localEngine: .running,
                                  counts: ConsoleCounts(firingAlerts: 5, pendingApprovals: 2, runningExecutions: 1))
        let rows = Layout(width: width, height: height).listRows(zoomed: false)
        state.alerts.replace(with: cjk ? cjkAlerts : alerts, visibleRows: rows)
        state.executions.replace(with: executions, visibleRows: rows)
        state.executionDetail = executionDetail
        state.approvals.replace(with: approvals, visibleRows: rows)
        state.sops.replace(with: sops, visibleRows: rows)
        state.audit.replace(with: audit, visibleRows: rows)
        state.audit.hasOlder = true
        state.dryRun.sopNames = ["disk-filling", "failed-jobs"]
        return state
    }

    /// An incident: a disk alert, a run approved by ana whose first fix attempt failed and the second held.
    static var incident: IncidentTimeline {
        let alert = IncidentAlert(id: id(100), source: "prometheus", alertType: "disk_usage_high", title: "Disk almost full on db-1",
                                  severity: .critical, status: .resolved, createdAt: ago(600), resolvedAt: ago(60))
        let check = JSONValue.object(["values": .object(["used_percent": .number(97)]), "verdict": .string("failed"),
                                      "expect": diskExpectation])
        let run = IncidentExecution(
            id: id(200), alertID: id(100), sopName: "disk-filling", sopVersion: 3, status: .success, mode: .approval,
            decision: .requestApproval, confidence: 74, attempts: 2, maxAttempts: 2, startedAt: ago(598), decidedAt: ago(596),
            fixStartedAt: ago(500), verifiedAt: ago(300), completedAt: ago(300),
            approval: IncidentApproval(requestedAt: ago(596), reason: "approval mode", risk: .medium, decision: .approved,
                                       decidedBy: "ana", decidedFrom: "203.0.113.9", decidedAt: ago(500)),
            steps: [
                IncidentStep(phase: .diagnosis, stepID: "disk_usage", attempt: 0, status: .succeeded, result: check,
                             startedAt: ago(598), finishedAt: ago(597)),
                IncidentStep(phase: .fix, stepID: "clean_tmp", attempt: 1, status: .failed,
                             result: .object(["summary": .string("permission denied on /var/tmp/app/cache")]),
                             startedAt: ago(500), finishedAt: ago(499)),
                IncidentStep(phase: .fix, stepID: "clean_tmp", attempt: 2, status: .succeeded,
                             result: .object(["summary": .string("deleted 65 files (412 MB)")]), startedAt: ago(400), finishedAt: ago(398)),
            ])
        return IncidentTimeline(alerts: [alert], executions: [run])
    }
}
