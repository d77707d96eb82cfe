import Foundation
import OpsBrainCore
import OpsBrainPostgres

/// A `wait` step has not ended yet: the run is put down until `until`, and its checks go on from there.
struct ChecksWaiting: Error {
    var until: Date
}

extension ExecutionRunner {
    /// Runs read-only steps, recording each, and returns their results by step id.
    ///
    /// The steps run as one round (a run token). A `wait` step ends the engine's turn: its row
    /// records when it ends, `ChecksWaiting` puts the run down until then, and the next turn
    /// resumes the round after the steps it already ran, so a wait never holds a worker.
    func runChecks(_ steps: [StepSpec], phase: StepPhase, record: ExecutionRecord, context: StepContext) throws -> [String: StepResult] {
        let round = try waitingRound(steps, phase: phase, record: record, attempt: context.attempt)
        let run = round?.run ?? UUID().uuidString.prefix(8).lowercased()
        var results = round?.results ?? [:]
        for step in steps where results[step.id] == nil {
            if step.type == .wait, !waitsInPlace {
                let resumed = round.flatMap { $0.waitStep == step.id ? $0.until : nil }
                results[step.id] = try pause(step, phase: phase, record: record, attempt: context.attempt, run: run, until: resumed)
                continue
            }
            _ = try repository.beginStep(record.id, phase: phase, stepID: step.id, attempt: context.attempt, run: run)
            let result = try discountingOwnRestarts(registry.run(step, context: context), of: step, record: record)
            results[step.id] = result
            let verdict = DiagnosisEvaluation.verdict(step, result)
            try repository.finishStep(record.id, phase: phase, stepID: step.id, attempt: context.attempt, run: run,
                                      status: verdict == .error ? .failed : .succeeded, result: json(result, of: step, verdict: verdict), undo: nil)
        }
        return results
    }

    /// A `wait` step: the first look records when it ends (`until`, in its row) and puts the run
    /// down; a look of the resumed round at or after that time finishes it.
    private func pause(_ step: StepSpec, phase: StepPhase, record: ExecutionRecord, attempt: Int, run: String,
                       until resumed: Date?) throws -> StepResult {
        let pause = WaitStepRunner.pause(of: step)
        guard let until = resumed else {
            let ends = Date().addingTimeInterval(pause.asSeconds)
            guard try repository.beginStep(record.id, phase: phase, stepID: step.id, attempt: attempt, run: run,
                                           result: .object(["until": .number(ends.timeIntervalSince1970)])) else {
                throw TransitionConflict(executionID: record.id, expected: record.state.status, holder: repository.claimHolder)
            }
            throw ChecksWaiting(until: ends)
        }
        guard until <= Date() else { throw ChecksWaiting(until: until) }
        let result = StepResult(values: [:], durationMs: Int(pause.milliseconds))
        try repository.finishStep(record.id, phase: phase, stepID: step.id, attempt: attempt, run: run,
                                  status: .succeeded, result: json(result, of: step, verdict: .passed), undo: nil)
        return result
    }

    /// A round whose wait ended longer ago than this is not resumed: its results are too old to
    /// decide on, so the checks run again from the start.
    static let staleRound: TimeInterval = 300

    /// The round of `phase` that a `wait` step put down: its token, the wait step and when the wait
    /// ends, and the results of the steps it ran before the wait; nil when no round waits.
    private func waitingRound(_ steps: [StepSpec], phase: StepPhase, record: ExecutionRecord,
                              attempt: Int) throws -> (run: String, waitStep: String, until: Date, results: [String: StepResult])? {
        let waits = Set(steps.filter { $0.type == .wait }.map(\.id))
        guard !waits.isEmpty, !waitsInPlace else { return nil }
        let rows = try repository.steps(record.id).filter { $0.phase == phase && $0.attempt == attempt }
        guard let waiting = rows.last(where: { $0.status == .started && waits.contains($0.stepID) }), let run = waiting.run,
              let seconds = waiting.result["until"]?.doubleValue else { return nil }
        let until = Date(timeIntervalSince1970: seconds)
        guard Date().timeIntervalSince(until) < Self.staleRound else { return nil }
        var results: [String: StepResult] = [:]
        for row in rows where row.run == run && row.status != .started {
            results[row.stepID] = Self.stepResult(stored: row.result)
        }
        return (run, waiting.stepID, until, results)
    }
}
