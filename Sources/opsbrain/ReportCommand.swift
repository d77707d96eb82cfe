import ArgumentParser
import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainDocuments
import OpsBrainEngine
import OpsBrainPostgres
import OpsBrainRunners

/// `opsbrain report`: the daily ops report, and the log of notification deliveries.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The daily ops report, and what notifications were sent or failed.",
        subcommands: [Daily.self, Notifications.self])

    /// How the report is printed.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, markdown, slack
    }

    struct Daily: OpsBrainSubcommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the ops report for a window (deterministic; the LLM may add a summary when enabled); --send posts it to Slack.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "The window, ending now (like 24h, 6h, 7d).") var since = "24h"
        @Option(help: "text, markdown, or slack (the Block Kit payload as JSON).") var format: Format = .text
        @Flag(help: "Post the report to Slack now and say whether it was delivered.") var send = false
        @Flag(name: .customLong("no-llm"), help: "Do not ask the LLM for a summary even when it is enabled.") var noLLM = false

        func execute() throws {
            guard let window = DurationSyntax.parse(since), window > .zero else { throw CLIError("--since '\(since)' is not a duration like 24h") }
            let config = try global.loadConfig()
            let settings = try ReportCommand.operationsSettings(global)
            let zone = try ReportCommand.timeZone(settings.report)
            let end = Date()
            let start = end.addingTimeInterval(-Double(window.components.seconds))
            let connection = try global.openDatabase(config: config)
            defer { connection.close() }
            let environment = ProcessInfo.processInfo.environment
            let assistant = noLLM ? nil : SchedulerAssistant(model: NotifyRunners.languageModel(settings.llm, environment: environment),
                                                             settings: settings.llm, connection: connection)
            let report = try SchedulerReportJob(settings: settings, timeZone: zone, producer: "cli")
                .build(connection, from: start, to: end, reportDate: DailyReportBuilder.day(of: end, in: zone), assistant: assistant)
            switch format {
            case .text: print(DailyReportRenderer(report).text(), terminator: "")
            case .markdown: print(DailyReportRenderer(report).markdown(), terminator: "")
            case .slack: print(SlackMessageRenderer.payload(for: report, channel: settings.notifications.slack?.channel).jsonText)
            }
            if send { try post(report, settings: settings.notifications, connection: connection, environment: environment) }
        }

        /// Enqueues the report under its own key, delivers it at once, and reports the outcome.
        private func post(_ report: DailyReport, settings: NotificationSettings, connection: PostgresConnection,
                          environment: [String: String]) throws {
            guard settings.slack != nil else { throw CLIError("--send needs notifications.slack in the config file") }
            let key = "daily_report:manual:\(Int(Date().timeIntervalSince1970 * 1000))"
            let repository = NotificationRepository(connection: connection)
            try repository.enqueue(SchedulerReportJob.event(for: report), policy: NotificationPolicy(), key: key)
            guard let id = try repository.notificationID(key: key) else { throw CLIError("the report was not enqueued") }
            let worker = EngineAssembly.notifier(settings, environment: environment, conninfo: "", workerID: "cli")
            try worker.drain(connection, notificationID: id)
            let outcomes = try repository.deliveries(notificationID: id)
            for delivery in outcomes {
                let place = delivery.destination.map { " (\($0))" } ?? ""
                let line = delivery.status == "sent" ? "sent to \(delivery.channel)\(place)"
                    : "\(delivery.channel)\(place): \(delivery.status) — \(delivery.lastError ?? "unknown error")"
                    + (delivery.status == "pending" ? "; a running engine retries it" : "")
                FileHandle.standardError.write(Data("report \(line)\n".utf8))
            }
            if outcomes.contains(where: { $0.status != "sent" }) { throw ExitCode(1) }
        }
    }

    struct Notifications: OpsBrainSubcommand {
        static let configuration = CommandConfiguration(
            abstract: "List notification deliveries, newest first: channel, status, attempts, last error, next retry.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Only deliveries that failed for good.") var failed = false
        @Option(help: "At most this many.") var limit = 30
        @Option(help: "Show every attempt of this delivery.") var attempts: Int?

        func execute() throws {
            let connection = try global.openDatabase(config: try global.loadConfig())
            defer { connection.close() }
            let repository = NotificationRepository(connection: connection)
            if let attempts {
                for row in try repository.attempts(deliveryID: attempts) {
                    print("#\(row.attempt)  \(ReportCommand.stamp(row.at))  \(row.channel)  \(row.outcome)  "
                          + (row.httpStatus.map { "HTTP \($0)  " } ?? "") + (row.error ?? "")
                          + (row.nextRetryAt.map { "  next \(ReportCommand.stamp($0))" } ?? ""))
                }
                return
            }
            let rows = try repository.deliveries(limit: limit, failedOnly: failed)
            if rows.isEmpty { return print(failed ? "no failed notifications" : "no notifications yet") }
            for row in rows {
                var line = "\(row.id)  \(ReportCommand.stamp(row.createdAt))  \(row.kind)  \(row.channel)/\(row.action)  \(row.status)"
                    + "  attempts \(row.attempts)"
                if let status = row.lastHTTPStatus { line += "  HTTP \(status)" }
                if let error = row.lastError { line += "  \(error)" }
                if let next = row.nextAttemptAt { line += "  next \(ReportCommand.stamp(next))" }
                print(line + "  — \(row.title)")
            }
        }
    }

    /// Starts, next to an engine, the outbox worker (every engine) and the scheduled jobs (daily
    /// The `notifications`, `llm` and `report` sections of the config file in use (defaults without one).
    static func operationsSettings(_ global: GlobalOptions) throws -> OperationsSettings {
        guard let path = ConfigLocator.find(explicit: global.configPath) else { return OperationsSettings() }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError("cannot read config file \(path)") }
        return try NotificationSettingsParser.parse(text, path: path)
    }

    /// The report's zone: `report.time_zone`, else the machine's.
    static func timeZone(_ settings: ReportSettings) throws -> TimeZone {
        guard let name = settings.timeZone else { return TimeZone.current }
        guard let zone = TimeZone(identifier: name) else { throw CLIError("report.time_zone '\(name)' is not a known time zone") }
        return zone
    }

    /// `2026-11-27 07:00:03Z`.
    static func stamp(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date).replacingOccurrences(of: "T", with: " ")
    }
}
