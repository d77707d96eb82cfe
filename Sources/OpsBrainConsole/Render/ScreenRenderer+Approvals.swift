import Foundation
import OpsBrainCore
import OpsBrainPostgres

extension ScreenRenderer {
    static let approvalColumns = [
        Column("WAITING", width: 7, priority: 2, alignRight: true), Column("ID", width: 8, priority: 4), Column("SOP", width: 22),
        Column("RISK", width: 8), Column("CONF", width: 4, priority: 1, alignRight: true), Column("OPS", width: 3, priority: 3, alignRight: true),
        Column("ALERT", width: 12, flexible: true),
    ]

    /// The approvals view: pending fixes, the selected one's plans and evidence.
    func drawApprovals(_ state: ConsoleState, layout: Layout, into grid: inout CellGrid) {
        drawList(state.approvals, state: state, layout: layout, columns: Self.approvalColumns,
                 empty: state.filter == nil ? "nothing waiting for approval" : "no approval matches the filter",
                 cells: { approvalCells($0, now: state.now) }, detail: { approvalDetail($0, state: state) }, into: &grid)
    }

    private func approvalCells(_ approval: ConsoleApproval, now: Date) -> [TableCell] {
        [TableCell(Formatting.age(approval.requestedAt, now: now), .pipelineAwaitingApproval),
         TableCell(Formatting.shortID(approval.executionID), .muted), TableCell(approval.sopName ?? "?"),
         TableCell(approval.risk, riskRole(approval.risk)), TableCell(approval.confidence.map(String.init) ?? "-"),
         TableCell(String(approval.operations.count)), TableCell(approval.alertTitle ?? "(no alert)")]
    }

    private func approvalDetail(_ approval: ConsoleApproval, state: ConsoleState) -> [StyledLine] {
        var lines = [
            StyledLine([("Fix waiting for approval  ", .title), (Formatting.shortID(approval.executionID), .muted),
                        (state.readOnly ? "  (read-only console)" : "  A approve · R reject", .keyHint)]),
            .field("Alert", (approval.alertTitle ?? "(no alert)") + (approval.alertSeverity.map { " (\($0))" } ?? ""),
                   severityRole(approval.alertSeverity)),
            .field("SOP", approval.sopName ?? "?"),
            .field("Risk", approval.risk, riskRole(approval.risk)),
            .field("Why asked", Self.approvalReason(approval), .pipelineAwaitingApproval),
            .field("Waiting", "since \(formatting.timestamp(approval.requestedAt)) (\(Formatting.age(approval.requestedAt, now: state.now)))"),
            StyledLine("Operations exactly as they would run", .header),
        ]
        lines += approval.operations.isEmpty ? [StyledLine("  (none planned)", .muted)] : approval.operations.map(operationLine)
        if let breakdown = approval.breakdown { lines += confidenceLines(breakdown) }
        lines += findingLines(approval.diagnosis)
        lines += evidenceLines(approval.diagnosis)
        return lines
    }

    /// Each diagnosis check with its verdict and the values it read: the evidence behind the fix.
    private func evidenceLines(_ diagnosis: JSONValue?) -> [StyledLine] {
        guard let steps = diagnosis?["steps"]?.objectValue, !steps.isEmpty else { return [] }
        var lines = [StyledLine("Evidence (diagnosis checks)", .header)]
        for id in steps.keys.sorted() {
            let step = steps[id]!
            let verdict = step["verdict"]?.stringValue ?? "?"
            let role: ThemeRole = verdict == "passed" ? .pipelineSuccess : (verdict == "failed" ? .severityHigh : .pipelineFailed)
            let checks = checkLines(step, indent: "      ")
            let values = checks.isEmpty ? " " + (step["values"].map { $0.jsonText } ?? "") : ""
            let error = step["error"]?.stringValue.map { " error: \($0)" } ?? ""
            lines.append(StyledLine([("  \(id) ", .body), (verdict, role), ("\(values)\(error)", .muted)]))
            lines += checks
        }
        return lines
    }

    /// Why the engine asked rather than fixed, in words: the decision's reason and the SOP's risk.
    static func approvalReason(_ approval: ConsoleApproval) -> String {
        let reason = approval.summary["reason"]?.stringValue ?? "the policy asks for a person here"
        return "\(reason) (risk \(approval.risk); confidence \(approval.confidence.map(String.init) ?? "-") of 100)"
    }
}
