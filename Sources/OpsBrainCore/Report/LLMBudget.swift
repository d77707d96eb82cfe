import Foundation

/// The LLM assist's money and token accounting: what a call costs, and whether the month's budget
/// leaves room for the next one (judged on the most it could cost, so the cap is never passed).
public struct LLMBudget: Sendable, Equatable {
    public var settings: LLMSettings

    public init(settings: LLMSettings) { self.settings = settings }

    /// Whether a call may go out.
    public enum Decision: Sendable, Equatable {
        case allowed
        /// Skipped; the note says why, for the report and the logs.
        case skipped(note: String)
    }

    /// USD for `usage` at the configured prices.
    public func cost(_ usage: LLMUsage) -> Double {
        (Double(usage.promptTokens) * settings.inputPricePerMillion + Double(usage.completionTokens) * settings.outputPricePerMillion) / 1_000_000
    }

    /// The most a request could use: its prompt (about 4 characters a token, rounded up) plus the answer cap.
    public func worstCase(_ request: LLMRequest) -> LLMUsage {
        let characters = request.system.count + request.user.count + request.schema.jsonText.count
        return LLMUsage(promptTokens: (characters + 3) / 4 + 16, completionTokens: request.maxTokens ?? settings.maxTokens)
    }

    /// Allowed, or skipped with a note, given what the month has used so far.
    public func decide(_ request: LLMRequest, spentUSD: Double, spentTokens: Int) -> Decision {
        guard settings.allows(request.purpose) else {
            return .skipped(note: "LLM assist is off for \(request.purpose.rawValue)")
        }
        let worst = worstCase(request)
        if let budget = settings.monthlyBudgetUSD, spentUSD + cost(worst) > budget {
            return .skipped(note: String(format: "LLM skipped for %@: monthly budget of $%.2f reached ($%.2f spent)",
                                         request.purpose.rawValue, budget, spentUSD))
        }
        if let tokens = settings.monthlyTokenBudget, spentTokens + worst.totalTokens > tokens {
            return .skipped(note: "LLM skipped for \(request.purpose.rawValue): monthly token budget of \(tokens) reached (\(spentTokens) used)")
        }
        return .allowed
    }

    /// The accounting month of `date`: `yyyy-MM` in UTC.
    public static func month(of date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let parts = calendar.dateComponents([.year, .month], from: date)
        return String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
    }
}
