import Foundation
import OpsBrainCore
import OpsBrainPostgres

extension ScreenRenderer {
    static let executionColumns = [
        Column("STARTED", width: 8, priority: 2), Column("ID", width: 8, priority: 4), Column("STATUS", width: 17),
        Column("SOP", width: 22, priority: 1), Column("CONF", width: 4, priority: 3, alignRight: true),
        Column("DECISION", width: 16, priority: 5), Column("TIME", width: 7, priority: 3, alignRight: true),
        Column("ALERT", width: 12, flexible: true),
    ]

    /// The runs view: executions newest first, the selected one's card beside or under them.
    func drawExecutions(_ state: ConsoleState, layout: Layout, into grid: inout CellGrid) {
        drawList(state.executions, state: state, layout: layout, columns: Self.executionColumns,
                 empty: state.filter == nil ? "no executions yet" : "no execution matches the filter",
                 cells: { executionCells($0, now: state.now) },
                 detail: { execution in
                     guard let detail = state.executionDetail, detail.execution.id == execution.id else {
                         return [StyledLine("loading \(Formatting.shortID(execution.id))…", .muted)]
                     }
                     return executionCard(detail, now: state.now)
                 }, into: &grid)
    }

    private func executionCells(_ execution: ConsoleExecution, now: Date) -> [TableCell] {
        let elapsed = Formatting.duration(from: execution.startedAt, to: execution.completedAt ?? now)
        return [TableCell(formatting.clock(execution.startedAt, now: now), .muted), TableCell(Formatting.shortID(execution.id), .muted),
                TableCell(execution.status.replacingOccurrences(of: "_", with: " "), statusRole(execution.status)),
                TableCell(execution.sopName ?? "(no SOP)", execution.sopName == nil ? .muted : .body),
                TableCell(execution.confidence.map(String.init) ?? "-"), TableCell(execution.decision ?? "-", .muted),
                TableCell(elapsed, .muted), TableCell(execution.alertTitle ?? "(dry run)")]
    }

    /// Everything about one execution: pipeline, timings, confidence, approval, plans, findings and steps.
    func executionCard(_ detail: ConsoleExecutionDetail, now: Date) -> [StyledLine] {
        let execution = detail.execution
        var lines = [
            StyledLine([("Execution \(Formatting.shortID(execution.id))  ", .title), (execution.sopName ?? "(no SOP)", .header),
                        ("  mode \(execution.mode) · attempt \(execution.attempts)", .muted)]),
            pipelineStrip(execution.status),
            timings(detail, now: now),
            .field("Alert", (execution.alertTitle ?? "(composed for a dry run)")
                   + (execution.alertSeverity.map { " (\($0))" } ?? ""), severityRole(execution.alertSeverity)),
            .field("Decision", execution.decision ?? "-"),
        ]
        if let attribution = ExecutionStatus(rawValue: execution.status).flatMap({ FixAttribution(status: $0, approvedBy: execution.approvedBy) }) {
            lines.append(.field("Outcome", attribution.phrase, .pipelineSuccess))
        }
        if let reason = detail.escalationReason { lines.append(.field("Reason", reason, .pipelineEscalated)) }
        if let action = detail.humanAction { lines.append(.field("For you", action, .pipelineEscalated)) }
        lines += deliveryLines(detail.deliveries)
        if detail.verification != nil {
            let status = ExecutionStatus(rawValue: execution.status) ?? .pending
            lines.append(.field("Verified", VerificationSummary.text(detail.verification, status: status),
                                detail.verification?["passed"]?.boolValue == true ? .pipelineSuccess : .muted))
        }
        lines += approvalLines(detail)
        if let breakdown = detail.breakdown { lines += confidenceLines(breakdown) }
        lines += planLines(detail)
        lines += findingLines(detail.diagnosis)
        lines += stepLines(detail.steps)
        return lines
    }

    /// `diagnosing › approval › fixing › verifying › outcome` with the current stage marked.
    func pipelineStrip(_ statusText: String) -> StyledLine {
        let status = ExecutionStatus(rawValue: statusText) ?? .pending
        let stages: [(String, [ExecutionStatus])] = [
            ("diagnosing", [.pending, .diagnosing, .diagnosed]), ("approval", [.awaitingApproval]), ("fixing", [.fixing]),
            ("verifying", [.verifying, .rollingBack]),
        ]
        let current = stages.firstIndex { $0.1.contains(status) } ?? stages.count
        var segments: [(String, ThemeRole)] = [(TextWidth.fit("Pipeline", to: 12, ellipsis: ""), .header)]
        for (index, stage) in stages.enumerated() {
            let label = index == current ? "[\(status == .rollingBack ? "rolling back" : stage.0)]" : stage.0
            segments.append((label, index == current ? ThemeRole.pipeline(status) : (index < current ? .body : .muted)))
            segments.append((" \(glyphs.arrow) ", .muted))
        }
        let outcome = status.isTerminal ? "[\(statusText.replacingOccurrences(of: "_", with: " "))]" : "outcome"
        segments.append((outcome, status.isTerminal ? ThemeRole.pipeline(status) : .muted))
        return StyledLine(segments)
    }

    private func timings(_ detail: ConsoleExecutionDetail, now: Date) -> StyledLine {
        let execution = detail.execution
        var parts = ["started \(formatting.timestamp(execution.startedAt))"]
        for phase in ["diagnosis", "fix", "verification", "rollback"] {
            // Per attempt, first start to last finish, summed: the waits between attempts do not count.
            let attempts = Dictionary(grouping: detail.steps.filter { $0.phase == phase }, by: \.attempt).values
            guard !attempts.isEmpty else { continue }
            let seconds = attempts.reduce(0.0) { total, steps in
                guard let first = steps.map(\.startedAt).min() else { return total }
                return total + (steps.compactMap(\.finishedAt).max() ?? now).timeIntervalSince(first)
            }
            parts.append("\(phase) \(Formatting.duration(milliseconds: Int((seconds * 1000).rounded())))")
        }
        if let approval = detail.approval {
            parts.append("waited \(Formatting.duration(from: approval.requestedAt, to: approval.decidedAt ?? now))")
        }
        let total = execution.resolutionMs.map(Formatting.duration(milliseconds:))
            ?? Formatting.duration(from: execution.startedAt, to: execution.completedAt ?? now)
        parts.append("total \(total)")
        return .field("Timings", parts.joined(separator: " · "), .muted)
    }

    private func approvalLines(_ detail: ConsoleExecutionDetail) -> [StyledLine] {
        guard let approval = detail.approval else { return [] }
        guard let decision = approval.decision else {
            return [.field("Approval", "waiting since \(formatting.timestamp(approval.requestedAt)) — A approves, R rejects",
                           .pipelineAwaitingApproval)]
        }
        var text = "\(decision) by \(approval.decidedBy ?? "?")" + (approval.decidedFrom.map { " from \($0)" } ?? "")
        if let at = approval.decidedAt { text += " at \(formatting.timestamp(at))" }
        if let reason = approval.reason { text += ": \(reason)" }
        var lines = [StyledLine.field("Approval", text, decision == "approved" ? .pipelineSuccess : .pipelineRejected)]
        if let rollback = detail.rollbackRequestedBy { lines.append(.field("Rollback", "requested by \(rollback)", .pipelineRollingBack)) }
        return lines
    }

    /// Bars for the confidence components and the weighted total.
    func confidenceLines(_ breakdown: JSONValue) -> [StyledLine] {
        let parts = [("success rate", "success_rate", 40), ("clarity", "diagnosis_clarity", 30), ("pattern", "pattern_match", 20),
                     ("environment", "environment", 10)]
        var lines = [StyledLine.field("Confidence", "\(breakdown["total"]?.doubleValue.map { String(Int($0)) } ?? "-") / 100", .title)]
        for (label, key, weight) in parts {
            let value = Int(breakdown[key]?.doubleValue ?? 0)
            let filled = max(0, min(10, value / 10))
            let bar = String(repeating: glyphs.unicode ? "█" : "#", count: filled) + String(repeating: glyphs.unicode ? "░" : ".", count: 10 - filled)
            let note = key == "success_rate" ? " (\(breakdown["success_rate_source"]?.stringValue ?? "?"))" : ""
            lines.append(StyledLine([("  " + TextWidth.fit(label, to: 13, ellipsis: ""), .muted), (bar, value >= 60 ? .pipelineSuccess : .severityMedium),
                                     (" \(value) ×\(weight)%\(note)", .muted)]))
        }
        return lines
    }

    private func planLines(_ detail: ConsoleExecutionDetail) -> [StyledLine] {
        let plans = detail.approval?.summary["operations"]?.arrayValue
            ?? (detail.execution.dryRun ? detail.fixActions?.arrayValue : nil) ?? []
        let done = detail.execution.dryRun ? [] : (detail.fixActions?.arrayValue ?? [])
        var lines: [StyledLine] = []
        if !plans.isEmpty {
            lines.append(StyledLine(detail.execution.dryRun ? "Would run (dry run, nothing changed)" : "Operations as they would run", .header))
            lines += plans.map(operationLine)
        }
        if !done.isEmpty {
            lines.append(StyledLine("Fixes applied", .header))
            lines += done.map {
                StyledLine("  \($0["step"]?.stringValue ?? "?") #\(JSONLines.scalar($0["attempt"] ?? .null)) "
                           + "\($0["status"]?.stringValue ?? "?"): \($0["summary"]?.stringValue ?? "")",
                           $0["status"]?.stringValue == "succeeded" ? .pipelineSuccess : .pipelineFailed)
            }
        }
        return lines
    }

    /// One planned operation: `id (operation, class): plan`, in full, and whether it can be undone.
    func operationLine(_ operation: JSONValue) -> StyledLine {
        let undo: (String, ThemeRole)
        switch operation["can_roll_back"]?.boolValue {
        case true?: undo = ("  [can be rolled back]", .pipelineSuccess)
        case false?: undo = ("  [cannot be undone]", .severityHigh)
        case nil: undo = ("", .muted)
        }
        return StyledLine([("  \(operation["id"]?.stringValue ?? "?") ", .title),
                           ("(\(operation["operation"]?.stringValue ?? "?"), \(operation["class"]?.stringValue ?? "?")): ", .muted),
                           (operation["plan"]?.stringValue ?? "", .body), undo])
    }

    /// Who was told, through which channel and when.
    func deliveryLines(_ deliveries: [DeliveryRecord]) -> [StyledLine] {
        guard !deliveries.isEmpty else { return [] }
        return [StyledLine("Told", .header)] + deliveries.reversed().map { delivery in
            let to = delivery.destination.map { " \($0)" } ?? ""
            let outcome = delivery.status == "failed" ? "failed after \(delivery.attempts): \(delivery.lastError ?? "?")" : delivery.status
            return StyledLine([("  \(formatting.timestamp(delivery.createdAt)) ", .muted), ("\(delivery.channel)\(to) ", .title),
                               ("\(delivery.kind.replacingOccurrences(of: "_", with: " ")) (\(delivery.action)) ", .body),
                               (outcome, delivery.status == "failed" ? .pipelineFailed : .muted)])
        }
    }

    /// The diagnosis findings and each check's verdict.
    func findingLines(_ diagnosis: JSONValue?) -> [StyledLine] {
        guard let diagnosis else { return [] }
        var lines: [StyledLine] = []
        let findings = diagnosis["findings"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if !findings.isEmpty {
            lines.append(StyledLine("Findings", .header))
            lines += findings.map { StyledLine("  \(glyphs.bullet) \($0)") }
        }
        if let generic = diagnosis["generic"] {
            lines.append(StyledLine("No SOP matched; what is known", .header))
            lines += JSONLines.lines(generic, limit: 30).map { StyledLine("  " + $0, .muted) }
        }
        return lines
    }

    private func stepLines(_ steps: [ConsoleStep]) -> [StyledLine] {
        guard !steps.isEmpty else { return [] }
        var lines = [StyledLine("Steps", .header)]
        for step in steps {
            let verdict = step.result["verdict"]?.stringValue ?? step.status
            let role: ThemeRole = ["passed", "succeeded"].contains(verdict) ? .pipelineSuccess
                : (["failed", "error"].contains(verdict) ? .pipelineFailed : .muted)
            let took = step.finishedAt.map { Formatting.duration(from: step.startedAt, to: $0) } ?? "running"
            let text = step.result["summary"]?.stringValue ?? step.result["error"]?.stringValue
                ?? step.result["values"].map { $0.jsonText } ?? ""
            let checks = checkLines(step.result, indent: "      ")
            lines.append(StyledLine([("  \(step.phase)/\(step.stepID) #\(step.attempt) ", .body),
                                     (verdict, role), (" \(took) ", .muted), (checks.isEmpty ? String(text.prefix(300)) : "", .body)]))
            lines += checks
        }
        return lines
    }

    /// Each expectation of a stored check result: `error_pct 2.99  expected ≤ 1  ✗` (nothing for
    /// results stored before expectations were).
    func checkLines(_ result: JSONValue, indent: String) -> [StyledLine] {
        CheckEvidence.list(in: result).compactMap { check in
            guard let expected = check.expected, let holds = check.holds else { return nil }
            return StyledLine([(indent + check.valueName + " ", .body), (check.value.map(JSONLines.scalar) ?? "(not read)", .title),
                               ("  expected \(expected)  ", .muted), (holds ? "✓" : "✗", holds ? .pipelineSuccess : .severityHigh)])
        }
    }
}
