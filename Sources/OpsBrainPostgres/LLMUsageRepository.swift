import Foundation
import OpsBrainCore

/// LLM accounting: every call (and every skipped call) with tokens and cost, by month.
public struct LLMUsageRepository {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// What `month` (`yyyy-MM`) has used so far.
    public func spent(month: String) throws -> (costUSD: Double, tokens: Int, calls: Int, skipped: Int) {
        let row = try connection.query("""
            SELECT coalesce(sum(cost_usd), 0)::float8 AS cost, coalesce(sum(prompt_tokens + completion_tokens), 0) AS tokens,
                   count(*) FILTER (WHERE outcome <> 'skipped') AS calls, count(*) FILTER (WHERE outcome = 'skipped') AS skipped
            FROM opsbrain_llm_usage WHERE month = $1
            """, [month]).first
        return (row?.double("cost") ?? 0, row?.int("tokens") ?? 0, row?.int("calls") ?? 0, row?.int("skipped") ?? 0)
    }

    /// Records one call: `ok`, `failed` (tokens may still have been billed) or `skipped` (budget or off).
    public func record(month: String, purpose: LLMPurpose, model: String, outcome: String, usage: LLMUsage?, costUSD: Double,
                       note: String?) throws {
        try connection.query("""
            INSERT INTO opsbrain_llm_usage (month, purpose, model, outcome, prompt_tokens, completion_tokens, cost_usd, note)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """, [month, purpose.rawValue, model, outcome, usage?.promptTokens ?? 0, usage?.completionTokens ?? 0, costUSD, note])
    }

    /// The month's usage for the report, against the configured budget.
    public func monthUsage(month: String, settings: LLMSettings) throws -> LLMMonthUsage {
        let spent = try spent(month: month)
        return LLMMonthUsage(month: month, costUSD: spent.costUSD, tokens: spent.tokens, calls: spent.calls, skipped: spent.skipped,
                             budgetUSD: settings.monthlyBudgetUSD, tokenBudget: settings.monthlyTokenBudget)
    }

    /// Serializes budget checks across engines for the length of the caller's work.
    public func withBudgetLock<T>(_ body: () throws -> T) throws -> T {
        try connection.query("SELECT pg_advisory_lock($1)", [Self.budgetLockKey])
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", [Self.budgetLockKey]) }
        return try body()
    }

    static let budgetLockKey: Int64 = 0x0b5_b4a1_0007
}
