import Foundation

/// Renders an incident as a postmortem draft, in Markdown or JSON: the summary, the timeline, what
/// ran, the evidence, who decided, the time to each stage, the SOP versions, and the questions only
/// the author can answer. Deterministic: times in UTC, the same incident always gives the same text.
public struct PostmortemRenderer: Sendable {
    public let timeline: IncidentTimeline

    public init(_ timeline: IncidentTimeline) { self.timeline = timeline }

    /// The draft as Markdown.
    public func markdown() -> String {
        var lines = ["# Postmortem draft: \(Self.escape(timeline.title))", "",
                     "_Drafted by Ops Brain from its record of the incident; times are UTC. Edit before sharing._"]
        lines += section("Summary", summaryLines())
        lines += section("Timeline", timelineTable())
        lines += section("What ran", whatRan())
        lines += section("The evidence", evidenceLines())
        lines += section("Who decided", decisionLines())
        lines += section("Time to each stage", stageTable())
        lines += section("SOP", timeline.sopsUsed.isEmpty ? ["No SOP matched the alert."]
                         : timeline.sopsUsed.map { "- \(Self.code($0.name))" + ($0.version.map { " version \($0)" } ?? ", version unknown") })
        lines += section("Open questions", openQuestions.map { "- [ ] \(Self.escape($0))" })
        return lines.joined(separator: "\n") + "\n"
    }

    private func section(_ title: String, _ body: [String]) -> [String] {
        ["", "## \(title)", ""] + (body.isEmpty ? ["None."] : body)
    }

    private func summaryLines() -> [String] {
        var lines: [String] = []
        if let alert = timeline.primaryAlert {
            lines.append("- **Alert:** \(Self.escape(alert.title)) (\(alert.severity.rawValue), \(Self.code(alert.alertType)) from "
                         + "\(Self.escape(alert.source))), fired \(Self.iso(alert.createdAt))"
                         + (alert.count > 1 ? ", seen \(alert.count) times" : "")
                         + (alert.resolvedAt.map { ", resolved \(Self.iso($0))" } ?? ", \(alert.status.rawValue)"))
        }
        let joined = timeline.alerts.filter { $0.joinedExecutionID != nil }.count
        let again = timeline.alerts.filter { $0.joinedExecutionID == nil && $0.id != timeline.primaryAlert?.id }.count
        if joined + again > 0 { lines.append("- **Other alerts:** \(joined) joined as a storm, \(again) fired again") }
        for run in timeline.executions {
            lines.append("- **Run \(Self.code(run.shortID)):** \(Self.escape(run.sopLabel)), \(run.decision?.word ?? "undecided")"
                         + (run.confidence.map { " (confidence \($0))" } ?? "") + ", \(run.attempts) of \(run.maxAttempts) fix attempt(s), "
                         + "**\(run.status.rawValue)**" + (run.escalationReason.map { ": \(Self.escape($0))" } ?? ""))
        }
        if let closed = timeline.stages.first(where: { $0.stage == .closed }) {
            lines.append("- **From alert to closed:** \(Self.duration(closed.sinceAlert))")
        } else {
            lines.append("- **Still open:** a run has not finished" + (timeline.primaryAlert?.status == .firing ? ", the alert fires" : ""))
        }
        return lines
    }

    private func timelineTable() -> [String] {
        let entries = timeline.entries
        guard let first = entries.first else { return [] }
        let oneDay = entries.allSatisfy { Self.day($0.at) == Self.day(first.at) }
        return ["Times on \(Self.day(first.at))" + (oneDay ? "." : " onwards."), "", "| time | run | kind | what |", "|---|---|---|---|"]
            + entries.map { entry in
                let time = oneDay ? Self.clock(entry.at) : Self.day(entry.at) + " " + Self.clock(entry.at)
                return "| \(time) | \(entry.executionID.map(IncidentTimeline.short) ?? "") | \(entry.kind.rawValue) | \(Self.escape(entry.text)) |"
            }
    }

    private func whatRan() -> [String] {
        let runs = timeline.executions.map { run -> [String] in
            ["### Run \(run.shortID): \(Self.escape(run.sopLabel)), \(run.status.rawValue)", "",
             "| phase | step | attempt | status | started | finished | result |", "|---|---|---:|---|---|---|---|"]
                + run.steps.map { step in
                    "| \(step.phase.rawValue) | \(Self.code(step.stepID)) | \(step.attempt) | \(step.outcome) | \(Self.clock(step.startedAt)) | "
                        + "\(step.finishedAt.map(Self.clock) ?? "-") | \(Self.escape(step.summary)) |"
                }
        }
        return Array(runs.joined(separator: [""]))
    }

    private func evidenceLines() -> [String] {
        timeline.executions.flatMap { run in
            run.steps.filter { $0.isCheck && !$0.evidence.isEmpty }.map { step in
                "- Run \(run.shortID), \(step.phase.rawValue) \(Self.code(step.stepID)) #\(step.attempt)"
                    + (step.name.flatMap { $0 == step.stepID ? nil : " (\(Self.escape($0)))" } ?? "") + ", **\(step.outcome)**: "
                    + step.evidence.map { Self.escape($0.text) }.joined(separator: "; ")
            }
        }
    }

    private func decisionLines() -> [String] {
        timeline.executions.flatMap { run -> [String] in
            var lines: [String] = []
            if let decision = run.decision, let at = run.decidedAt {
                lines.append("- Run \(run.shortID): the engine decided \(Self.code(decision.word)) at \(Self.clock(at))"
                             + (run.confidence.map { " with confidence \($0)" } ?? "") + " (mode \(run.mode.rawValue))")
            }
            if let approval = run.approval {
                let wait = approval.decidedAt.map { " after \(Self.duration($0.timeIntervalSince(approval.requestedAt)))" } ?? ""
                lines.append("- Run \(run.shortID): approval asked at \(Self.clock(approval.requestedAt))"
                             + (approval.reason.map { " because \(Self.escape($0))" } ?? "")
                             + "; **\(Self.escape(approval.outcome))**" + (approval.decidedAt.map { " at \(Self.clock($0))" } ?? "") + wait)
                lines += approval.plannedOperations.map { "  - would run: \(Self.escape($0))" }
            }
            if let by = run.rollbackRequestedBy {
                lines.append("- Run \(run.shortID): rollback requested by **\(Self.escape(by))**")
            }
            return lines
        }
    }

    private func stageTable() -> [String] {
        ["| stage | at | since alert | since previous stage |", "|---|---|---:|---:|"] + timeline.stages.map { stage in
            "| \(stage.stage.label) | \(Self.clock(stage.at)) | \(Self.duration(stage.sinceAlert)) | \(Self.duration(stage.sincePrevious)) |"
        }
    }
}

extension PostmortemRenderer {
    /// `2026-11-27T03:04:05.123Z`.
    static func iso(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(secondsFromGMT: 0)!))
    }

    /// `2026-11-27`, in UTC.
    static func day(_ date: Date) -> String { String(iso(date).prefix(10)) }

    /// `03:04:05`, in UTC.
    static func clock(_ date: Date) -> String { String(iso(date).dropFirst(11).prefix(8)) }

    /// `850 ms`, `12.4 s`, `4 min 05 s`, `2 h 03 min`.
    static func duration(_ seconds: TimeInterval) -> String {
        let sign = seconds < 0 ? "-" : ""
        let size = abs(seconds)
        if size < 1 { return sign + "\(Int((size * 1000).rounded())) ms" }
        if size < 60 { return sign + String(format: "%.1f s", size) }
        let whole = Int(size.rounded())
        if whole < 3600 { return sign + "\(whole / 60) min " + String(format: "%02d s", whole % 60) }
        return sign + "\(whole / 3600) h " + String(format: "%02d min", whole % 3600 / 60)
    }

    /// Text made safe inside a Markdown line or table cell, and still readable as plain text: the
    /// characters that would start markup or end a cell are escaped (`<` only where it would open a
    /// tag, so `< 90` stays as it is), line breaks become spaces.
    static func escape(_ text: String) -> String {
        var out = ""
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            let next = index + 1 < characters.count ? characters[index + 1] : " "
            if "\\`*[]|".contains(character) || (character == "<" && (next.isLetter || "/!?".contains(next))) { out.append("\\") }
            out.append(character.isNewline ? " " : character)
        }
        return out
    }

    /// An identifier as code, or escaped text when it holds a backtick.
    static func code(_ text: String) -> String {
        text.contains("`") || text.contains("\n") ? escape(text) : "`\(text)`"
    }
}

extension PostmortemRenderer {
    /// How long an approval may wait before the draft asks why.
    static let slowApproval: TimeInterval = 300

    /// What the record cannot answer, for the author: the cause, and a question for each thing in
    /// the incident that went other than planned (a retry, a rollback, an escalation, a slow or
    /// expired approval, a failed notification, a storm, a re-fire, no SOP).
    public var openQuestions: [String] {
        var questions = ["What was the root cause, beyond what the checks saw?"]
        for run in timeline.executions {
            questions += runQuestions(run)
        }
        let failed = Set(timeline.deliveries.filter { $0.status == .failed }.map(\.channel.rawValue)).sorted()
        if !failed.isEmpty {
            questions.append("Notifications failed on \(failed.joined(separator: ", ")): who did not hear about the incident, "
                             + "and when did they learn of it?")
        }
        let joined = timeline.alerts.filter { $0.joinedExecutionID != nil }.count
        if joined > 0 {
            questions.append("\(joined) alert(s) joined as a storm: did they share one cause, or did grouping hide a second problem?")
        }
        if timeline.alerts.contains(where: { $0.joinedExecutionID == nil && $0.id != timeline.primaryAlert?.id }) {
            questions.append("The alert fired again after a run: why did the fix not hold?")
        }
        if timeline.executions.contains(where: { $0.sopName == nil }) {
            questions.append("No SOP matched: should one be written for this alert?")
        }
        questions.append("What would have prevented it, or caught it earlier?")
        return questions
    }

    private func runQuestions(_ run: IncidentExecution) -> [String] {
        var questions: [String] = []
        let run8 = run.shortID
        if run.attempts > 1 {
            questions.append("Run \(run8) applied its fix \(run.attempts) times: why did attempt 1 not verify?")
        }
        let undone = Set(run.steps.filter { $0.phase == .rollback }.map(\.stepID)).sorted()
        if !undone.isEmpty {
            questions.append("Run \(run8) rolled back \(undone.joined(separator: ", ")): "
                             + "in what state did that leave the system, and who checked it?")
        }
        if run.status == .escalated || run.status == .failed {
            questions.append("Run \(run8) ended \(run.status.rawValue)" + (run.escalationReason.map { " (\($0))" } ?? "")
                             + ": what did the on-call engineer do, and should the SOP do it next time?")
        }
        if let approval = run.approval {
            if approval.decision == .expired {
                questions.append("Nobody decided run \(run8)'s approval in time: who should have been reachable?")
            } else if let decidedAt = approval.decidedAt, decidedAt.timeIntervalSince(approval.requestedAt) > Self.slowApproval {
                questions.append("Run \(run8) waited \(Self.duration(decidedAt.timeIntervalSince(approval.requestedAt))) for approval: "
                                 + "was the approver paged in time, and did they have what they needed to decide?")
            }
        }
        return questions
    }
}
