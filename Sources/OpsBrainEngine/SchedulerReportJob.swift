import Foundation
import Logging
import OpsBrainCore
import OpsBrainPostgres

/// The daily ops report: built from the store, optionally with LLM prose, stored once per local
/// day and posted through the outbox.
public struct SchedulerReportJob: Sendable {
    public let settings: OperationsSettings
    public let timeZone: TimeZone
    public let producer: String
    private let logger = Logger(label: "opsbrain.report")

    public init(settings: OperationsSettings, timeZone: TimeZone, producer: String) {
        self.settings = settings
        self.timeZone = timeZone
        self.producer = producer
    }

    /// The report over `[start, end)` for `reportDate`; the LLM adds prose only when `assistant` allows.
    public func build(_ connection: PostgresConnection, from start: Date, to end: Date, reportDate: String,
                      assistant: SchedulerAssistant?) throws -> DailyReport {
        var facts = try ReportRepository(connection: connection).facts(from: start, to: end)
        if settings.llm.enabled {
            facts.llm = try LLMUsageRepository(connection: connection).monthUsage(month: LLMBudget.month(of: end), settings: settings.llm)
        }
        var report = DailyReportBuilder(settings: settings.report, timeZone: timeZone).build(facts, reportDate: reportDate)
        guard let assistant, assistant.isEnabled(for: .report) else { return report }
        switch assistant.ask(AssistantPrompts.reportProse(report)) {
        case .answer(let answer): report.prose = answer.value["summary"]?.stringValue
        case .unavailable(let note): if let note { report.notes.append(note) }
        }
        return report
    }

    /// Produces today's report when it is due and no engine has produced it yet: built, stored and
    /// (when `report.send`) enqueued for Slack in one transaction. Returns the report it produced.
    public func runIfDue(_ connection: PostgresConnection, now: Date, assistant: SchedulerAssistant?) throws -> DailyReport? {
        let schedule = ReportSchedule(settings: settings.report, timeZone: timeZone)
        guard let due = schedule.dailyReport(at: now),
              try !ReportRepository(connection: connection).exists(reportDate: due.date) else { return nil }
        let report = try build(connection, from: due.start, to: due.end, reportDate: due.date, assistant: assistant)
        let stored = try connection.transaction { tx in
            guard try ReportRepository.store(report, text: DailyReportRenderer(report).text(), producedBy: producer, in: tx) else {
                return false
            }
            if settings.report.send { try NotificationRepository.enqueue(Self.event(for: report), policy: NotificationPolicy(), in: tx) }
            return true
        }
        guard stored else { return nil }
        logger.info("daily report produced", metadata: ["date": "\(due.date)", "health": "\(report.healthScore)"])
        return report
    }

    /// The outbox event carrying a report.
    public static func event(for report: DailyReport) -> NotificationEvent {
        let severity: Severity = report.healthScore < 70 ? .high : report.healthScore < 90 ? .medium : .info
        return NotificationEvent(kind: .dailyReport, severity: severity, title: "Ops Brain daily report \(report.reportDate)",
                                      summary: "Health \(report.healthScore)/100: \(report.stats.issuesDetected) issues, "
                                          + "\(report.stats.autoFixed) auto-fixed, \(report.stats.fixedWithApproval ?? 0) fixed with approval, \(report.stats.escalated) escalated",
                                 occurredAt: report.windowEnd, report: report)
    }
}
