import Foundation

/// Renders a `DailyReport` as the seed's plain-text layout or as Markdown. Deterministic: the same
/// report always gives the same text.
public struct DailyReportRenderer: Sendable {
    public let report: DailyReport
    private let clock: ReportClock

    public init(_ report: DailyReport) {
        self.report = report
        clock = ReportClock(zone: report.timeZone)
    }

    static let rule = String(repeating: "━", count: 33)

    /// The plain-text report (what `opsbrain report daily` prints and Slack's fallback text).
    public func text() -> String {
        var lines = ["🤖 OPS BRAIN DAILY REPORT — \(report.reportDate)", Self.rule, "",
                     "\(HealthScore.emoji(report.healthScore)) SYSTEM HEALTH: \(report.healthScore)/100"]
        if let prose = report.prose { lines += ["", prose] }
        lines += ["", "📊 \(windowLabel.uppercased())"] + statsTable()
        lines += section("🔧 FIXES APPLIED", report.fixes.enumerated().map { index, fix in
            ["\(index + 1). \(clock.time(fix.at)) — \(fix.title)", "   → \(fix.actions) ✅"]
                + (fix.approvedBy.map { ["   → approved by \($0)" + Self.waited(fix)] } ?? [])
        }, empty: "None.", spaced: true)
        lines += section("⚠️ ESCALATED (Needs Human)", report.escalations.enumerated().map { index, item in
            ["\(index + 1). \(clock.time(item.at)) — \(item.title)", "   → \(item.reason)", "   → ACTION: \(item.action)"]
        }, empty: "None.", spaced: true)
        if !report.approvals.isEmpty {
            lines += section("🙋 AWAITING APPROVAL", report.approvals.enumerated().map { index, item in
                ["\(index + 1). \(clock.time(item.at)) — \(item.title)", "   → ACTION: \(item.action)"]
            }, empty: "", spaced: true)
        }
        lines += section("💰 COST WATCH", report.costs.map { ["- \(Self.money($0)) (\($0.note))"] },
                         empty: "No cost probes configured.")
        lines += section("🔮 PREDICTED ISSUES", report.predictions.map { ["- \($0.message)"] }, empty: "Nothing predicted.")
        if report.failedNotifications > 0 {
            lines += ["", "📣 \(report.failedNotifications) notification(s) could not be delivered: opsbrain report notifications"]
        }
        lines += report.notes.isEmpty ? [] : [""] + report.notes.map { "ℹ️ \($0)" }
        lines += ["", Self.rule, closing]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The report as Markdown (for chat tools and files).
    public func markdown() -> String {
        var lines = ["# 🤖 Ops Brain daily report — \(report.reportDate)", "",
                     "**\(HealthScore.emoji(report.healthScore)) System health: \(report.healthScore)/100**"]
        if let prose = report.prose { lines += ["", Self.escape(prose)] }
        lines += ["", "## 📊 \(windowLabel)", "", "| | |", "|---|---:|"] + statRows.map { "| \($0.0) | \($0.1) |" }
        lines += ["", "## 🔧 Fixes applied", ""] + numbered(report.fixes.map { fix in
            "**\(clock.time(fix.at))** — \(Self.escape(fix.title)) → \(Self.escape(fix.actions)) ✅"
                + (fix.approvedBy.map { " (approved by \(Self.escape($0))\(Self.waited(fix)))" } ?? "")
        }, empty: "None.")
        lines += ["", "## ⚠️ Escalated (needs a human)", ""] + numbered(report.escalations.map {
            "**\(clock.time($0.at))** — \(Self.escape($0.title)) — \(Self.escape($0.reason)). **Action:** \(Self.escape($0.action))"
        }, empty: "None.")
        if !report.approvals.isEmpty {
            lines += ["", "## 🙋 Awaiting approval", ""] + numbered(report.approvals.map {
                "**\(clock.time($0.at))** — \(Self.escape($0.title)). **Action:** \(Self.escape($0.action))"
            }, empty: "")
        }
        lines += ["", "## 💰 Cost watch", ""]
            + (report.costs.isEmpty ? ["No cost probes configured."] : report.costs.map { "- \(Self.escape(Self.money($0))) (\(Self.escape($0.note)))" })
        lines += ["", "## 🔮 Predicted issues", ""]
            + (report.predictions.isEmpty ? ["Nothing predicted."] : report.predictions.map { "- \(Self.escape($0.message))" })
        if report.failedNotifications > 0 {
            lines += ["", "📣 \(report.failedNotifications) notification(s) could not be delivered: `opsbrain report notifications`"]
        }
        lines += report.notes.isEmpty ? [] : [""] + report.notes.map { "> ℹ️ \(Self.escape($0))" }
        lines += ["", "---", "", closing]
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Pieces shared with the Slack renderer

    /// "Last 24 hours", "Last 6 hours", "Last 7 days".
    public var windowLabel: String {
        let hours = Int((report.windowEnd.timeIntervalSince(report.windowStart) / 3600).rounded())
        if hours >= 48, hours % 24 == 0 { return "Last \(hours / 24) days" }
        return hours == 1 ? "Last hour" : "Last \(hours) hours"
    }

    /// The headline numbers as label/value pairs.
    public var statRows: [(String, String)] {
        let stats = report.stats
        var rows = [("Issues detected", "\(stats.issuesDetected)"), ("Auto-fixed", "\(stats.autoFixed)")]
        if let approved = stats.fixedWithApproval, approved > 0 { rows.append(("Fixed with approval", "\(approved)")) }
        rows.append(("Escalated", "\(stats.escalated)"))
        if stats.awaitingApproval > 0 { rows.append(("Awaiting approval", "\(stats.awaitingApproval)")) }
        if stats.diagnosedOnly > 0 { rows.append(("Diagnosed only", "\(stats.diagnosedOnly)")) }
        rows.append(("Fix success", stats.fixSuccessRate.map { "\(Int(($0 * 100).rounded()))%" } ?? "—"))
        rows.append(("Avg fix time", stats.averageFixMs.map(Self.duration) ?? "—"))
        if let wait = stats.averageApprovalWaitMs { rows.append(("Avg approval wait", Self.duration(wait))) }
        return rows
    }

    /// The last line: all clear, or how many things need a person.
    public var closing: String {
        if report.needsNoAction { return "No action needed. Have a good day! ☕" }
        let count = report.escalations.count + report.approvals.count
        return count > 0 ? "\(count) item(s) need a human — see above." : "Check the undelivered notifications."
    }

    /// The time of day of `date` in the report's zone, `HH:mm`.
    public func time(_ date: Date) -> String { clock.time(date) }

    /// "$12.34", "€3.00", "12.00 GBP".
    public static func money(_ cost: DailyReport.Cost) -> String {
        let amount = String(format: "%.2f", cost.amount)
        switch cost.currency.uppercased() {
        case "USD": return "\(cost.name): $\(amount)"
        case "EUR": return "\(cost.name): €\(amount)"
        default: return "\(cost.name): \(amount) \(cost.currency)"
        }
    }

    /// " after a 12m 5s wait", or nothing when the wait is unknown.
    static func waited(_ fix: DailyReport.Fix) -> String {
        fix.approvalWaitMs.map { " after a \(duration($0)) wait" } ?? ""
    }

    /// "1m 48s", "45s", "2h 3m", "850ms".
    public static func duration(_ milliseconds: Int) -> String {
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        let seconds = milliseconds / 1000
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m \(seconds % 60)s" }
        return "\(seconds / 3600)h \((seconds % 3600) / 60)m"
    }

    // MARK: Helpers

    private func statsTable() -> [String] {
        let rows = statRows
        let left = max(15, rows.map(\.0.count).max() ?? 0)
        let right = max(6, rows.map(\.1.count).max() ?? 0)
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        let top = "┌" + String(repeating: "─", count: left + 1) + "┬" + String(repeating: "─", count: right + 1) + "┐"
        let bottom = "└" + String(repeating: "─", count: left + 1) + "┴" + String(repeating: "─", count: right + 1) + "┘"
        return [top] + rows.map { "│ \(pad($0.0, left))│ \(pad($0.1, right))│" } + [bottom]
    }

    /// A heading and its items; multi-line items (`spaced`) are set apart by blank lines.
    private func section(_ heading: String, _ items: [[String]], empty: String, spaced: Bool = false) -> [String] {
        ["", heading] + (items.isEmpty ? [empty] : items.enumerated().flatMap { index, item in index == 0 || !spaced ? item : [""] + item })
    }

    private func numbered(_ items: [String], empty: String) -> [String] {
        items.isEmpty ? [empty] : items.enumerated().map { "\($0.offset + 1). \($0.element)" }
    }

    /// Escapes Markdown's inline syntax in text that came from alerts or SOPs.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            if "\\`*_[]<>|#".contains(character) { out.append("\\") }
            out.append(character == "\n" ? " " : character)
        }
        return out
    }
}

/// Formats instants as local wall-clock times in one zone.
struct ReportClock: Sendable {
    let calendar: Calendar

    init(zone: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: zone) ?? TimeZone(secondsFromGMT: 0)!
        self.calendar = calendar
    }

    func time(_ date: Date) -> String {
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
    }
}
