import Foundation
@testable import OpsBrainCore

/// Fixed report data: the seed plan's example night, in Berlin time.
enum ReportFixtures {
    /// 2026-11-27 07:00 in Berlin (06:00 UTC).
    static let end = Date(timeIntervalSince1970: 1_795_759_200)
    static let start = end.addingTimeInterval(-86_400)
    static let zone = TimeZone(identifier: "Europe/Berlin")!

    /// `HH:mm` Berlin time on the report night (before 07:00 is the 27th, after is the 26th).
    static func at(_ hour: Int, _ minute: Int) -> Date {
        let hoursBack = hour < 7 ? Double(7 - hour) : Double(31 - hour)
        return end.addingTimeInterval(-hoursBack * 3600 + Double(minute) * 60)
    }

    static func id(_ n: Int) -> UUID { UUID(uuidString: String(format: "%08d-0000-4000-8000-000000000000", n))! }

    static func fixed(_ n: Int, _ title: String, at hour: Int, _ minute: Int, ms: Int, fixes: [String]) -> ExecutionFact {
        ExecutionFact(id: id(n), status: .success, sopName: "sop-\(n)", sopVersion: 1, title: title, severity: .high,
                      startedAt: at(hour, minute).addingTimeInterval(-Double(ms) / 1000), completedAt: at(hour, minute),
                      resolutionMs: ms, attempts: 1, wasEffective: true, fixSummaries: fixes)
    }

    static var facts: ReportFacts {
        let executions = [
            fixed(1, "Database connection dropped", at: 2, 34, ms: 95_000, fixes: ["Reconnected"]),
            fixed(2, "OpenAI rate limited", at: 4, 12, ms: 121_000, fixes: ["Switched to backup key"]),
            fixed(3, "Lead sync stuck (3 leads)", at: 6, 45, ms: 108_000, fixes: ["Cleared queue", "re-synced"]),
            ExecutionFact(id: id(4), status: .escalated, sopName: "twilio-balance-low", title: "Twilio balance < $50", severity: .medium,
                          startedAt: at(5, 19), completedAt: at(5, 20), attempts: 0,
                          escalationReason: "Can't auto-fix billing", escalationAction: "Top up Twilio account"),
        ]
        let samples = [
            ProbeSample(probe: "openai_cost", at: end.addingTimeInterval(-3 * 86_400), value: 11.90, labels: ["kind": "cost", "service": "OpenAI"]),
            ProbeSample(probe: "openai_cost", at: end.addingTimeInterval(-2 * 86_400), value: 12.10, labels: ["kind": "cost", "service": "OpenAI"]),
            ProbeSample(probe: "openai_cost", at: end.addingTimeInterval(-600), value: 12.34, labels: ["kind": "cost", "service": "OpenAI"]),
            ProbeSample(probe: "twilio_cost", at: end.addingTimeInterval(-2 * 86_400), value: 3.00, labels: ["kind": "cost", "service": "Twilio"]),
            ProbeSample(probe: "twilio_cost", at: end.addingTimeInterval(-600), value: 8.21, labels: ["kind": "cost", "service": "Twilio"]),
            ProbeSample(probe: "tls_app", at: end.addingTimeInterval(-600), value: 12.4, labels: ["kind": "tls_expiry", "name": "app.example.com"]),
        ] + (0..<6).map { day in
            ProbeSample(probe: "db_storage", at: end.addingTimeInterval(-Double(5 - day) * 86_400 - 900), value: 66 + Double(day) * 1.5,
                        labels: ["kind": "usage", "unit": "percent", "name": "Database storage"])
        }
        return ReportFacts(windowStart: start, windowEnd: end, alertsDetected: 7, executions: executions, samples: samples)
    }

    static var report: DailyReport {
        DailyReportBuilder(settings: ReportSettings(), timeZone: zone).build(facts, reportDate: "2026-11-27")
    }
}
