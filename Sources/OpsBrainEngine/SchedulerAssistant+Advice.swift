import Foundation
import OpsBrainCore
import OpsBrainPostgres

extension SchedulerAssistant {
    /// A root-cause summary of a finished diagnosis, as advice for the people reading the
    /// execution (console, notifications); it never changes the decision that was taken.
    public func diagnosisSummary(executionID: UUID) throws -> Reply {
        let repository = ExecutionRepository(connection: connection)
        guard let detail = try repository.detail(executionID), let diagnosis = detail.diagnosis else {
            return .unavailable(note: "execution \(executionID.uuidString.lowercased().prefix(8)) has no diagnosis yet")
        }
        let alert = detail.summary.alertTitle ?? "(no alert)"
        return ask(AssistantPrompts.diagnosis(alertDetails: alert, sopName: detail.summary.sopName ?? "none", diagnosisResults: diagnosis))
    }

    /// Which of several equally matching SOPs fits an alert best, as advice when the rules tie.
    public func matchAdvice(alert: AlertSnapshot, candidates: [SOPDefinition]) -> Reply {
        guard candidates.count > 1 else { return .unavailable(note: "matching needs no advice with fewer than two candidates") }
        let reply = ask(AssistantPrompts.matching(alert: alert, candidates: candidates.map { ($0.name, $0.description) }))
        if case .answer(let answer) = reply, answer.value["sop_name"]?.stringValue == "none" {
            return .unavailable(note: "the LLM found no fitting SOP")
        }
        return reply
    }
}
