import Foundation
import OpsBrainCore
import OpsBrainPostgres

/// Text layouts for executions: the list, and the seed plan's "fix outcome tracking" card.
enum ExecutionReport {
    static func table(_ rows: [ExecutionSummary]) -> String {
        let header = ["ID", "STARTED (UTC)", "STATUS", "SOP", "CONF", "DECISION", "ALERT"]
        let lines = rows.map { row -> [String] in
            [String(row.id.uuidString.lowercased().prefix(8)), SOPTable.formatDate(row.startedAt).replacingOccurrences(of: " UTC", with: ""),
             row.status, row.sopName ?? "(unknown)", row.confidence.map(String.init) ?? "-", row.decision ?? "-",
             String((row.alertTitle ?? (row.dryRun ? "(dry run)" : "-")).prefix(50))]
        }
        return TextTable.render(header: header, rows: lines) + "\n\(rows.count) executions"
    }

    static func card(_ detail: ExecutionDetail) -> String {
        let summary = detail.summary
        let fixes = detail.steps.filter { $0.phase == .fix }.map { "\($0.stepID): \($0.result["summary"]?.stringValue ?? $0.status.rawValue)" }
        let planned = summary.dryRun ? (detail.fixActions?.arrayValue ?? []) : []
        let stats = detail.sopStatistics
        let rate = stats.executed > 0 ? "\(stats.successful * 100 / stats.executed)% success rate (\(stats.successful)/\(stats.executed) fixes)" : "no finished fixes yet"
        var lines = [
            "FIX OUTCOME  \(summary.id.uuidString.lowercased())",
            row("Problem", summary.alertTitle ?? "(dry run)"),
            row("SOP Used", (summary.sopName ?? "none (unknown problem)") + (detail.sopVersion.map { " v\($0)" } ?? "")
                + (detail.instance.map { ", for \($0.phrase)" } ?? "")),
            row("Decision", (summary.decision ?? "-") + (summary.confidence.map { " (confidence \($0))" } ?? "")),
            row("Fix Applied", fixes.isEmpty ? (planned.isEmpty ? "none" : "(dry run) \(planned.count) planned") : fixes.joined(separator: "; ")),
            row("Time to Fix", detail.resolutionMs.map { SOPTable.formatMillis($0) } ?? "-"),
            row("Verified", verifiedText(detail)),
            row("Outcome", summary.status.uppercased() + (outcomeNote(detail).map { " — \($0)" } ?? "")),
        ]
        if let approvedBy = detail.approvedBy { lines.append(row("Decided by", approvedBy)) }
        lines += ["LEARNING:", "  → This SOP has \(rate)",
                  "  → Average fix time: \(stats.averageMs.map { SOPTable.formatMillis($0) } ?? "-")",
                  "  → Last failure: \(stats.lastFailure ?? "none")"]
        if let breakdown = detail.confidenceBreakdown {
            lines.append("CONFIDENCE: " + ["success_rate", "diagnosis_clarity", "pattern_match", "environment"]
                .map { "\($0) \(breakdown[$0]?.doubleValue.map { String(Int($0)) } ?? "-")" }.joined(separator: ", ")
                + " → \(breakdown["total"]?.doubleValue.map { String(Int($0)) } ?? "-")")
        }
        for plan in planned { lines.append("  would run: \(plan["id"]?.stringValue ?? "?"): \(plan["plan"]?.stringValue ?? "")") }
        lines.append("STEPS:")
        for step in detail.steps {
            let verdict = step.result["verdict"]?.stringValue ?? step.status.rawValue
            let text = step.result["summary"]?.stringValue ?? step.result["error"]?.stringValue ?? step.result["values"]?.jsonText ?? ""
            lines.append("  \(step.phase.rawValue)/\(step.stepID) #\(step.attempt) \(verdict): \(String(text.prefix(160)))")
        }
        lines.append("AUDIT TRAIL:")
        for entry in detail.audit {
            lines.append("  \(SOPTable.formatDate(entry.at)) \(entry.actor) \(entry.kind): \(entry.message)")
        }
        return lines.joined(separator: "\n")
    }

    /// Why it escalated, or who let a success run.
    private static func outcomeNote(_ detail: ExecutionDetail) -> String? {
        detail.escalationReason
            ?? ExecutionStatus(rawValue: detail.summary.status).flatMap { FixAttribution(status: $0, approvedBy: detail.approvedBy) }?.phrase
    }

    private static func row(_ label: String, _ value: String) -> String {
        "  " + label.padding(toLength: 12, withPad: " ", startingAt: 0) + value
    }

    private static func verifiedText(_ detail: ExecutionDetail) -> String {
        VerificationSummary.text(detail.verification, status: ExecutionStatus(rawValue: detail.summary.status) ?? .pending)
    }
}
