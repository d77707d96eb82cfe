import ArgumentParser
import Foundation
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPlatform
import OpsBrainPostgres
import OpsBrainRunners

/// `opsbrain sop suggestions`: what the weekly learning found, for a person to accept or dismiss.
/// Suggestions never change an SOP file; accepting one records that someone will.
struct SuggestionsCommand: OpsBrainSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "suggestions",
        abstract: "List SOP improvement suggestions from the learning analysis; accept or dismiss them.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Include accepted and dismissed suggestions.") var all = false
    @Option(help: "Only this SOP.") var sop: String?
    @Option(help: "Accept the suggestion with this id (or unique prefix).") var accept: String?
    @Option(help: "Dismiss the suggestion with this id (or unique prefix).") var dismiss: String?
    @Option(help: "Why, with --accept or --dismiss.") var note: String?
    @Flag(help: "Run the analysis now over the last four weeks (stored under this week).") var run = false

    func execute() throws {
        if accept != nil && dismiss != nil { throw CLIError("--accept and --dismiss cannot be used together") }
        let connection = try global.openDatabase(config: try global.loadConfig())
        defer { connection.close() }
        let repository = SuggestionRepository(connection: connection)
        if let id = accept ?? dismiss {
            let record = try repository.review(id, accept: accept != nil, reviewer: UserAccount.currentName, note: note)
            return print("\(record.status) \(Self.short(record.id)) (\(record.suggestion.sopName)): \(record.suggestion.title)")
        }
        if run { try analyse(connection) }
        let records = try repository.list(all: all, sopName: sop)
        if records.isEmpty { return print(all ? "no suggestions yet" : "no open suggestions") }
        for record in records { print(Self.render(record)) }
    }

    private func analyse(_ connection: PostgresConnection) throws {
        let settings = try ReportCommand.operationsSettings(global)
        let zone = try ReportCommand.timeZone(settings.report)
        let now = Date()
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = zone
        let week = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: now)
        let period = String(format: "%04d-W%02d", week.yearForWeekOfYear ?? 0, week.weekOfYear ?? 0)
        let assistant = SchedulerAssistant(model: NotifyRunners.languageModel(settings.llm, environment: ProcessInfo.processInfo.environment),
                                           settings: settings.llm, connection: connection)
        let outcome = try SchedulerLearningJob(settings: settings, timeZone: zone, runner: "cli")
            .run(connection, now: now, period: period, assistant: assistant)
        print("analysed: \(outcome.suggestions.count) suggestions, \(outcome.new) new" + (outcome.note.map { " (\($0))" } ?? ""))
    }

    static func render(_ record: SuggestionRecord) -> String {
        let suggestion = record.suggestion
        var lines = ["\(short(record.id))  \(record.status)  \(suggestion.sopName)" + (suggestion.sopVersion.map { " v\($0)" } ?? "")
                     + "  \(suggestion.kind.rawValue)  \(record.period)",
                     "          \(suggestion.title)", "          \(suggestion.detail)"]
        if let llm = suggestion.llmNote { lines.append("          LLM: \(llm)") }
        if let by = record.reviewedBy { lines.append("          \(record.status) by \(by)" + (record.reviewNote.map { ": \($0)" } ?? "")) }
        return lines.joined(separator: "\n")
    }

    static func short(_ id: UUID) -> String { String(id.uuidString.lowercased().prefix(8)) }
}
