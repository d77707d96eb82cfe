import Foundation

/// Renders events and reports as Slack incoming-webhook payloads (Block Kit with a text fallback).
public enum SlackMessageRenderer {
    /// The payload for one event on `channel`.
    public static func payload(for event: NotificationEvent, channel: String?) -> JSONValue {
        if event.kind == .dailyReport, let report = event.report { return payload(for: report, channel: channel) }
        var blocks = SlackBlocks()
        blocks.header("\(event.kind.emoji) \(event.kind.label): \(event.title)")
        blocks.section(SlackText.escape(event.summary))
        var fields: [(String, String)] = [("Severity", event.severity.rawValue)]
        if let sop = event.sopName { fields.append(("SOP", SlackText.escape(sop))) }
        if let id = event.executionID { fields.append(("Execution", "`\(id.uuidString.lowercased().prefix(8))`")) }
        fields += event.facts.map { ($0.name, SlackText.escape($0.value)) }
        blocks.fields(fields)
        if let action = event.actionNeeded {
            blocks.section("*Action needed:* \(SlackText.escape(action))")
        }
        blocks.context(["Ops Brain · \(slackDate(event.occurredAt))"])
        return blocks.payload(fallback: event.headline + " — " + event.summary, channel: channel)
    }

    /// The daily report as Block Kit: header, health, numbers, then one section per list.
    public static func payload(for report: DailyReport, channel: String?) -> JSONValue {
        let renderer = DailyReportRenderer(report)
        var blocks = SlackBlocks()
        blocks.header("🤖 Ops Brain daily report — \(report.reportDate)")
        blocks.section("*\(HealthScore.emoji(report.healthScore)) System health: \(report.healthScore)/100*"
                       + (report.prose.map { "\n" + SlackText.escape($0) } ?? ""))
        blocks.section("*📊 \(renderer.windowLabel)*")
        blocks.fields(renderer.statRows)
        blocks.divider()
        blocks.section(list("🔧 Fixes applied", report.fixes.map {
            "\(renderer.time($0.at)) — \(SlackText.escape($0.title))\n→ \(SlackText.escape($0.actions)) ✅"
        }))
        blocks.section(list("⚠️ Escalated (needs a human)", report.escalations.map {
            "\(renderer.time($0.at)) — \(SlackText.escape($0.title))\n→ \(SlackText.escape($0.reason))\n→ *ACTION:* \(SlackText.escape($0.action))"
        }))
        if !report.approvals.isEmpty {
            blocks.section(list("🙋 Awaiting approval", report.approvals.map {
                "\(renderer.time($0.at)) — \(SlackText.escape($0.title))\n→ \(SlackText.escape($0.action))"
            }))
        }
        blocks.section(list("💰 Cost watch", report.costs.map { "• \(SlackText.escape(DailyReportRenderer.money($0))) (\(SlackText.escape($0.note)))" },
                            numbered: false, empty: "No cost probes configured."))
        blocks.section(list("🔮 Predicted issues", report.predictions.map { "• \(SlackText.escape($0.message))" },
                            numbered: false, empty: "Nothing predicted."))
        var context = report.notes.map { "ℹ️ " + SlackText.escape($0) }
        if report.failedNotifications > 0 {
            context.append("📣 \(report.failedNotifications) notification(s) undelivered: `opsbrain report notifications`")
        }
        context.append(renderer.closing)
        blocks.divider()
        blocks.context(context)
        let fallback = "Ops Brain daily report \(report.reportDate): health \(report.healthScore)/100, "
            + "\(report.stats.issuesDetected) issues, \(report.stats.autoFixed) auto-fixed, \(report.stats.fixedWithApproval ?? 0) fixed with approval, \(report.stats.escalated) escalated"
        return blocks.payload(fallback: fallback, channel: channel)
    }

    private static func list(_ heading: String, _ items: [String], numbered: Bool = true, empty: String = "None.") -> String {
        let body = items.isEmpty ? [empty] : items.enumerated().map { numbered ? "\($0.offset + 1). \($0.element)" : $0.element }
        return (["*\(heading)*"] + body).joined(separator: "\n")
    }

    /// Slack's date token: shown in each reader's own zone, with a UTC fallback.
    static func slackDate(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970)
        let fallback = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(seconds)))
        return "<!date^\(seconds)^{date_short_pretty} {time}|\(fallback)>"
    }
}
