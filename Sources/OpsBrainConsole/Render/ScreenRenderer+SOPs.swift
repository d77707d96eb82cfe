import Foundation
import OpsBrainCore
import OpsBrainPostgres

extension ScreenRenderer {
    static let sopColumns = [
        Column("NAME", width: 24), Column("CATEGORY", width: 10, priority: 5), Column("RISK", width: 8, priority: 3),
        Column("FIX", width: 8, priority: 4), Column("VER", width: 4, priority: 4, alignRight: true),
        Column("RUNS", width: 5, priority: 1, alignRight: true), Column("OK%", width: 4, alignRight: true),
        Column("AVG", width: 7, priority: 2, alignRight: true), Column("RECENT", width: 20, priority: 1),
        Column("LAST FAILURE", width: 12, priority: 6, flexible: true),
    ]

    /// The SOPs view: statistics with a sparkline of recent outcomes, the selected SOP's detail.
    func drawSOPs(_ state: ConsoleState, layout: Layout, into grid: inout CellGrid) {
        drawList(state.sops, state: state, layout: layout, columns: Self.sopColumns,
                 empty: state.filter == nil ? "no SOPs synced (opsbrain sop sync)" : "no SOP matches the filter",
                 cells: { sopCells($0, now: state.now) }, detail: { sopDetail($0, now: state.now) }, into: &grid)
    }

    private func sopCells(_ sop: ConsoleSOPStats, now: Date) -> [TableCell] {
        let recent = sop.recentOutcomes.suffix(20)
        return [TableCell(sop.name), TableCell(sop.category, .muted), TableCell(sop.risk, riskRole(sop.risk)), TableCell(sop.fixMode),
                TableCell("v\(sop.version)", .muted), TableCell(String(sop.timesExecuted)),
                TableCell(sop.successRate.map { "\($0)" } ?? "-", successRole(sop.successRate)),
                TableCell(sop.averageResolutionMs.map(Formatting.duration(milliseconds:)) ?? "-", .muted),
                TableCell(recent.map(glyphs.outcomeMark).joined(), characterRoles: recent.map(outcomeRole)),
                TableCell(sop.lastFailureReason ?? "", .pipelineFailed)]
    }

    private func successRole(_ rate: Int?) -> ThemeRole {
        guard let rate else { return .muted }
        return rate >= 80 ? .pipelineSuccess : (rate >= 50 ? .severityMedium : .pipelineFailed)
    }

    private func outcomeRole(_ status: String) -> ThemeRole { statusRole(status) }

    private func sopDetail(_ sop: ConsoleSOPStats, now: Date) -> [StyledLine] {
        var lines = [
            StyledLine([(sop.name, .title), ("  v\(sop.version) · \(sop.category)", .muted)]),
            .field("Risk", sop.risk, riskRole(sop.risk)),
            .field("Fixes", sop.fixMode + (sop.modeOverride == nil ? "" : " (mode override)")),
            .field("Success", sop.successRate.map { "\($0)% (\(sop.timesSuccessful) of \(sop.timesExecuted) fixes)" } ?? "no finished fixes yet",
                   successRole(sop.successRate)),
            .field("Avg fix", sop.averageResolutionMs.map(Formatting.duration(milliseconds:)) ?? "-"),
            .field("Last run", sop.lastRunAt.map { "\(formatting.timestamp($0)) (\(Formatting.age($0, now: now)) ago)" } ?? "never"),
            .field("Last fix", sop.lastExecutedAt.map { "\(formatting.timestamp($0)) (\(Formatting.age($0, now: now)) ago)" } ?? "never"),
            .field("Last fail", sop.lastFailureAt.map { formatting.timestamp($0) + (sop.lastFailureReason.map { ": \($0)" } ?? "") } ?? "none",
                   sop.lastFailureAt == nil ? .muted : .pipelineFailed),
        ]
        var spark: [(String, ThemeRole)] = [(TextWidth.fit("Recent", to: 12, ellipsis: ""), .header)]
        for outcome in sop.recentOutcomes { spark.append((glyphs.outcomeMark(outcome), outcomeRole(outcome))) }
        if sop.recentOutcomes.isEmpty { spark.append(("no outcomes yet", .muted)) }
        lines.append(StyledLine(spark))
        lines.append(StyledLine("  oldest \(glyphs.arrow) newest: \(glyphs.outcomeMark("success")) fixed  \(glyphs.outcomeMark("failed")) fix failed  "
                                + "\(glyphs.outcomeMark("rolled_back")) rolled back  \(glyphs.outcomeMark("escalated")) escalated, no fix  "
                                + "\(glyphs.outcomeMark("rejected")) rejected", .muted))
        lines.append(StyledLine("  d: dry-run this SOP", .keyHint))
        return lines
    }
}
