import Foundation
import Logging
import OpsBrainCore
import OpsBrainPostgres

/// The weekly learning run: analyses the last four weeks of judged fixes, stores suggestions for
/// people to review (the LLM may add a note to each), and never touches an SOP file.
public struct SchedulerLearningJob: Sendable {
    public static let jobName = "sop_learning"
    /// How far back the statistics go.
    public static let lookback: TimeInterval = 28 * 86_400
    public let settings: OperationsSettings
    public let timeZone: TimeZone
    public let runner: String
    private let logger = Logger(label: "opsbrain.learning")

    public init(settings: OperationsSettings, timeZone: TimeZone, runner: String) {
        self.settings = settings
        self.timeZone = timeZone
        self.runner = runner
    }

    /// Analyses the statistics up to `now` and stores the suggestions under `period`; returns them
    /// (with LLM notes when the assist added some) and how many were new.
    public func run(_ connection: PostgresConnection, now: Date, period: String,
                    assistant: SchedulerAssistant?) throws -> (suggestions: [SOPSuggestion], new: Int, note: String?) {
        let facts = try ReportRepository(connection: connection).judgedExecutions(from: now.addingTimeInterval(-Self.lookback), to: now)
        var suggestions = SOPLearning.analyze(facts)
        var note: String?
        if let assistant, assistant.isEnabled(for: .learning), !suggestions.isEmpty {
            switch assistant.ask(AssistantPrompts.learning(suggestions)) {
            case .answer(let answer): suggestions = Self.attach(answer.value, to: suggestions)
            case .unavailable(let reason): note = reason
            }
        }
        let new = try SuggestionRepository(connection: connection).store(suggestions, period: period)
        return (suggestions, new, note)
    }

    /// Runs once per ISO week, on the configured weekday after the daily time, on one engine.
    public func runIfDue(_ connection: PostgresConnection, now: Date, assistant: SchedulerAssistant?) throws -> Int? {
        let reports = ReportRepository(connection: connection)
        guard let period = ReportSchedule(settings: settings.report, timeZone: timeZone).learningPeriod(at: now),
              try reports.claimJob(Self.jobName, period: period, runBy: runner) else { return nil }
        let outcome = try run(connection, now: now, period: period, assistant: assistant)
        let summary = "\(outcome.suggestions.count) suggestions, \(outcome.new) new" + (outcome.note.map { "; \($0)" } ?? "")
        try reports.finishJob(Self.jobName, period: period, summary: summary)
        logger.info("weekly SOP learning done", metadata: ["period": "\(period)", "summary": "\(summary)"])
        return outcome.new
    }

    /// Puts the LLM's notes on the suggestions they name (by key); unknown ids are ignored.
    static func attach(_ answer: JSONValue, to suggestions: [SOPSuggestion]) -> [SOPSuggestion] {
        var notes: [String: String] = [:]
        for item in answer["notes"]?.arrayValue ?? [] {
            if let id = item["id"]?.stringValue, let note = item["note"]?.stringValue, !note.isEmpty { notes[id] = note }
        }
        return suggestions.map { suggestion in
            var copy = suggestion
            copy.llmNote = notes[suggestion.key]
            return copy
        }
    }
}
