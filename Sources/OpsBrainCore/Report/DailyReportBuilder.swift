import Foundation

/// Turns the facts of a window into a `DailyReport`: counts, rates, the lists, costs, predictions, score.
public struct DailyReportBuilder: Sendable {
    public var settings: ReportSettings
    /// The zone the report date and times are in.
    public var timeZone: TimeZone

    public init(settings: ReportSettings, timeZone: TimeZone) {
        self.settings = settings
        self.timeZone = timeZone
    }

    /// The report for `facts`; `reportDate` is the local day it is for (`yyyy-MM-dd`).
    public func build(_ facts: ReportFacts, reportDate: String) -> DailyReport {
        let executions = facts.executions
        let fixes = executions.filter { $0.status == .success }
            .sorted { ($0.completedAt ?? $0.startedAt) < ($1.completedAt ?? $1.startedAt) }.map(fix)
        let escalations = executions.filter { $0.status == .escalated }
            .sorted { ($0.completedAt ?? $0.startedAt) < ($1.completedAt ?? $1.startedAt) }.map(escalation)
        let approvals = facts.awaitingApproval.sorted { $0.startedAt < $1.startedAt }.map(approval)
        let predictions = Predictor(settings: settings).predict(facts.samples)
        var costs = CostWatch.lines(facts.samples)
        if let llm = facts.llm { costs.append(Self.llmLine(llm)) }
        let score = HealthScore.compute(escalations: escalations.map(\.severity), approvalsWaiting: approvals.count,
                                        predictions: predictions.map(\.severity), failedNotifications: facts.failedNotifications)
        return DailyReport(reportDate: reportDate, windowStart: facts.windowStart, windowEnd: facts.windowEnd,
                           timeZone: timeZone.identifier, healthScore: score, stats: stats(facts), fixes: fixes,
                           escalations: escalations, approvals: approvals, costs: costs, predictions: predictions,
                           failedNotifications: facts.failedNotifications)
    }

    private func stats(_ facts: ReportFacts) -> DailyReport.Stats {
        let executions = facts.executions
        let judged = executions.compactMap(\.wasEffective)
        let fixTimes = executions.filter { $0.status == .success }.compactMap(\.resolutionMs)
        let waits = executions.filter { $0.status == .success }.compactMap(\.approvalWaitMs)
        return DailyReport.Stats(
            issuesDetected: facts.alertsDetected,
            autoFixed: executions.filter { $0.status == .success && $0.approvedBy == nil }.count,
            fixedWithApproval: executions.filter { $0.status == .success && $0.approvedBy != nil }.count,
            escalated: executions.filter { $0.status == .escalated }.count,
            awaitingApproval: facts.awaitingApproval.count,
            diagnosedOnly: executions.filter { $0.status == .diagnosed }.count,
            fixSuccessRate: judged.isEmpty ? nil : Double(judged.filter { $0 }.count) / Double(judged.count),
            averageFixMs: fixTimes.isEmpty ? nil : fixTimes.reduce(0, +) / fixTimes.count,
            averageApprovalWaitMs: waits.isEmpty ? nil : waits.reduce(0, +) / waits.count)
    }

    private func fix(_ execution: ExecutionFact) -> DailyReport.Fix {
        let done = execution.fixSummaries.filter { !$0.isEmpty }
        let actions = (done.isEmpty ? "Fixed" : done.joined(separator: "; ")) + ", verified"
        return DailyReport.Fix(at: execution.completedAt ?? execution.startedAt, title: execution.title, sopName: execution.sopName,
                               actions: actions, approvedBy: execution.approvedBy, durationMs: execution.resolutionMs,
                               approvalWaitMs: execution.approvalWaitMs)
    }

    private func escalation(_ execution: ExecutionFact) -> DailyReport.HumanItem {
        DailyReport.HumanItem(
            at: execution.completedAt ?? execution.startedAt, title: execution.title, sopName: execution.sopName,
            severity: execution.severity, reason: execution.escalationReason ?? "escalated",
            action: execution.escalationAction ?? "Investigate: opsbrain execution show \(execution.shortID)", executionID: execution.id)
    }

    private func approval(_ execution: ExecutionFact) -> DailyReport.HumanItem {
        DailyReport.HumanItem(
            at: execution.startedAt, title: execution.title, sopName: execution.sopName, severity: execution.severity,
            reason: "a fix is waiting for approval",
            action: "Approve or reject: opsbrain approve \(execution.shortID) / opsbrain reject \(execution.shortID)",
            executionID: execution.id)
    }

    /// The LLM's month so far against its budget.
    static func llmLine(_ usage: LLMMonthUsage) -> DailyReport.Cost {
        var note = "\(usage.calls) calls, \(usage.tokens) tokens this month"
        if let budget = usage.budgetUSD {
            note += usage.costUSD >= budget ? "; budget of $\(String(format: "%.2f", budget)) reached: assist skipped"
                : "; budget $\(String(format: "%.2f", budget))"
        } else if let tokens = usage.tokenBudget, usage.tokens >= tokens {
            note += "; token budget reached: assist skipped"
        }
        if usage.skipped > 0 { note += "; \(usage.skipped) calls skipped" }
        return DailyReport.Cost(name: "LLM assist", amount: usage.costUSD, note: note)
    }

    /// `yyyy-MM-dd` of `date` in `timeZone`.
    public static func day(of date: Date, in timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}
