import Foundation
import OpsBrainCore
import OpsBrainPostgres

extension ScreenRenderer {
    static let auditColumns = [
        Column("#", width: 7, priority: 4, alignRight: true), Column("TIME", width: 12, priority: 2), Column("ACTOR", width: 18, priority: 3),
        Column("KIND", width: 20), Column("EXEC", width: 8, priority: 5), Column("MESSAGE", width: 16, flexible: true),
    ]

    /// The audit view: the trail newest first, the selected row's details beside or under it.
    func drawAudit(_ state: ConsoleState, layout: Layout, into grid: inout CellGrid) {
        drawList(state.audit, state: state, layout: layout, columns: Self.auditColumns,
                 empty: state.filter == nil && state.auditFilter.isEmpty ? "the audit trail is empty" : "no audit row matches the filter",
                 cells: { auditCells($0, now: state.now) }, detail: auditDetail, into: &grid)
    }

    private func auditCells(_ entry: ConsoleAuditEntry, now: Date) -> [TableCell] {
        [TableCell(String(entry.id), .muted), TableCell(formatting.dayTime(entry.at, now: now), .muted),
         TableCell(entry.actor, entry.actor.hasPrefix("human:") ? .header : .body), TableCell(entry.kind, kindRole(entry.kind)),
         TableCell(entry.executionID.map(Formatting.shortID) ?? "", .muted), TableCell(entry.message)]
    }

    private func kindRole(_ kind: String) -> ThemeRole {
        if kind.hasPrefix("approval_approved") { return .pipelineSuccess }
        if kind.hasPrefix("approval_rejected") { return .pipelineRejected }
        if kind.contains("rollback") { return .pipelineRollingBack }
        if kind.contains("escalat") { return .pipelineEscalated }
        if kind.contains("fail") || kind.contains("error") { return .pipelineFailed }
        return .body
    }

    private func auditDetail(_ entry: ConsoleAuditEntry) -> [StyledLine] {
        var lines = [
            StyledLine([("#\(entry.id) ", .muted), (entry.kind, kindRole(entry.kind)), ("  \(formatting.timestamp(entry.at))", .muted)]),
            .field("Actor", entry.actor),
            .field("Message", entry.message),
        ]
        if let execution = entry.executionID { lines.append(.field("Execution", execution.uuidString.lowercased(), .muted)) }
        if let alert = entry.alertID { lines.append(.field("Alert", alert.uuidString.lowercased(), .muted)) }
        if let sop = entry.sopName { lines.append(.field("SOP", sop)) }
        let details = JSONLines.lines(entry.details, limit: 120)
        if !(details.count == 1 && details[0] == "{}") {
            lines.append(StyledLine("Details", .header))
            lines += details.map { StyledLine("  " + $0) }
        }
        return lines
    }
}
