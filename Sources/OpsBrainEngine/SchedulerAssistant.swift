import Foundation
import Logging
import OpsBrainCore
import OpsBrainPostgres

/// The LLM assist as the scheduled jobs and the commands use it: off unless configured, checked
/// against the month's budget before every call, and every call (or skip) recorded with its tokens
/// and cost. Never used on the execution path.
public struct SchedulerAssistant {
    let model: (any LanguageModel)?
    let settings: LLMSettings
    let connection: PostgresConnection
    let now: () -> Date
    private let logger = Logger(label: "opsbrain.llm")

    /// An assistant; with `model` nil (the default configuration) every request is simply not made.
    public init(model: (any LanguageModel)?, settings: LLMSettings, connection: PostgresConnection, now: @escaping () -> Date = Date.init) {
        self.model = model
        self.settings = settings
        self.connection = connection
        self.now = now
    }

    /// What came of a request.
    public enum Reply {
        case answer(LLMAnswer)
        /// Not asked or no usable answer; `note` says why, for people (nil when the assist is simply off).
        case unavailable(note: String?)
    }

    /// True when requests for `purpose` would be made at all.
    public func isEnabled(for purpose: LLMPurpose) -> Bool { model != nil && settings.allows(purpose) }

    /// Asks, within the budget, and records the call.
    public func ask(_ request: LLMRequest) -> Reply {
        guard let model, settings.allows(request.purpose) else { return .unavailable(note: nil) }
        let repository = LLMUsageRepository(connection: connection)
        let budget = LLMBudget(settings: settings)
        let month = LLMBudget.month(of: now())
        do {
            return try repository.withBudgetLock {
                let spent = try repository.spent(month: month)
                if case .skipped(let note) = budget.decide(request, spentUSD: spent.costUSD, spentTokens: spent.tokens) {
                    try repository.record(month: month, purpose: request.purpose, model: model.model, outcome: "skipped", usage: nil,
                                          costUSD: 0, note: note)
                    logger.notice("LLM call skipped", metadata: ["purpose": "\(request.purpose.rawValue)", "note": "\(note)"])
                    return .unavailable(note: note)
                }
                return try call(model, request, month: month, repository: repository, budget: budget)
            }
        } catch {
            logger.error("LLM accounting failed", metadata: ["error": "\(error)"])
            return .unavailable(note: "LLM not used: its accounting failed (\(error))")
        }
    }

    private func call(_ model: any LanguageModel, _ request: LLMRequest, month: String, repository: LLMUsageRepository,
                      budget: LLMBudget) throws -> Reply {
        do {
            let answer = try model.complete(request)
            try repository.record(month: month, purpose: request.purpose, model: answer.model, outcome: "ok", usage: answer.usage,
                                  costUSD: budget.cost(answer.usage), note: nil)
            return .answer(answer)
        } catch {
            let failure = error as? LLMFailure ?? LLMFailure(.transport, "\(error)")
            try repository.record(month: month, purpose: request.purpose, model: model.model, outcome: "failed", usage: failure.usage,
                                  costUSD: failure.usage.map(budget.cost) ?? 0, note: failure.description)
            logger.warning("LLM call failed", metadata: ["purpose": "\(request.purpose.rawValue)", "error": "\(failure)"])
            return .unavailable(note: "LLM \(request.purpose.rawValue) unavailable: \(failure.message)")
        }
    }
}
