import Foundation
import OpsBrainCore
import OpsBrainPostgres

extension ScreenRenderer {
    static let alertColumns = [
        Column("TIME", width: 8, priority: 2), Column("SEV", width: 4), Column("CNT", width: 4, priority: 3, alignRight: true),
        Column("SOURCE", width: 10, priority: 5), Column("TYPE", width: 18, priority: 4), Column("STATUS", width: 8, priority: 1),
        Column("RUN", width: 17, priority: 3), Column("TITLE", width: 16, flexible: true),
    ]

    /// The alerts view: the stream newest first, the selected alert's labels and evidence beside or under it.
    func drawAlerts(_ state: ConsoleState, layout: Layout, into grid: inout CellGrid) {
        drawList(state.alerts, state: state, layout: layout, columns: Self.alertColumns,
                 empty: state.filter == nil ? "no alerts yet" : "no alert matches the filter",
                 cells: { alertCells($0, now: state.now) }, detail: { alertDetail($0, now: state.now) }, into: &grid)
    }

    private func alertCells(_ alert: ConsoleAlert, now: Date) -> [TableCell] {
        [TableCell(formatting.clock(alert.createdAt, now: now), .muted),
         TableCell(severityLabel(alert.severity), severityRole(alert.severity)),
         TableCell(alert.count > 1 ? "\(alert.count)" : "", alert.count > 1 ? .changed : .body),
         TableCell(alert.source, .muted), TableCell(alert.alertType),
         TableCell(alert.status, alert.status == "firing" ? .body : .muted),
         TableCell(alert.executionStatus ?? "-", statusRole(alert.executionStatus)),
         TableCell(alert.title)]
    }

    private func alertDetail(_ alert: ConsoleAlert, now: Date) -> [StyledLine] {
        var lines = [
            StyledLine([(severityLabel(alert.severity) + " ", severityRole(alert.severity)), (alert.title, .title)]),
            .field("Type", alert.alertType + "  (source \(alert.source))"),
            .field("Seen", "\(alert.count)× · first \(formatting.timestamp(alert.createdAt)) · last \(Formatting.age(alert.lastSeenAt, now: now)) ago"),
            .field("Status", alert.status, alert.status == "firing" ? .severityHigh : .muted),
            .field("Id", alert.id.uuidString.lowercased(), .muted),
        ]
        if let fingerprint = alert.fingerprint { lines.append(.field("Fingerprint", fingerprint, .muted)) }
        if let execution = alert.executionID {
            lines.append(StyledLine([(TextWidth.fit("Execution", to: 12, ellipsis: ""), .header),
                                     (Formatting.shortID(execution) + " ", .body),
                                     (alert.executionStatus ?? "", statusRole(alert.executionStatus)), ("  (o: open it, t: its audit trail)", .muted)]))
        } else {
            lines.append(.field("Execution", "none yet", .muted))
        }
        if !alert.labels.isEmpty {
            lines.append(.field("Labels", alert.labels.keys.sorted().map { "\($0)=\(alert.labels[$0]!)" }.joined(separator: " ")))
        }
        let evidence = JSONLines.lines(alert.evidence, limit: 60)
        if !(evidence.count == 1 && evidence[0] == "{}") {
            lines.append(StyledLine("Evidence", .header))
            lines += evidence.map { StyledLine("  " + $0) }
        }
        return lines
    }
}
