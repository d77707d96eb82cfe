import Foundation
import OpsBrainCore
import OpsBrainPostgres

extension ScreenRenderer {
    static let alertColumns = [
        Column("TIME", width: 8, priority: 2), Column("SEV", width: 4), Column("CNT", width: 4, priority: 3, alignRight: true),
        Column("SOURCE", width: 10, priority: 5), Column("TYPE", width: 18, priority: 4), Column("STATUS", width: 8, priority: 1),
        Column("RUN", width: 17, priority: 3), Column("TITLE", width: 16, flexible: true),
    ]

    static let alertGroupColumns = [
        Column("GROUP", width: 24, flexible: true), Column("INSTANCE", width: 16, priority: 2), Column("SEV", width: 4),
        Column("FIRING", width: 6, alignRight: true), Column("TOTAL", width: 5, priority: 1, alignRight: true),
        Column("STORM", width: 5, priority: 3, alignRight: true), Column("LATEST", width: 8, priority: 2),
    ]

    /// The alerts view: the stream newest first, the selected alert's labels and evidence beside or under it;
    /// or, grouped, one row per type or SOP.
    func drawAlerts(_ state: ConsoleState, layout: Layout, into grid: inout CellGrid) {
        guard state.alertGrouping == .none else { return drawAlertGroups(state, layout: layout, into: &grid) }
        drawList(state.alerts, state: state, layout: layout, columns: Self.alertColumns,
                 empty: state.filter == nil ? "no alerts yet" : "no alert matches the filter",
                 cells: { alertCells($0, now: state.now) }, detail: { alertDetail($0, now: state.now) }, into: &grid)
    }

    private func alertCells(_ alert: ConsoleAlert, now: Date) -> [TableCell] {
        [TableCell(formatting.clock(alert.createdAt, now: now), .muted),
         TableCell(severityLabel(alert.severity), severityRole(alert.severity)),
         TableCell(alert.count > 1 ? "\(alert.count)" : "", alert.count > 1 ? .changed : .body),
         TableCell(alert.source, .muted), TableCell(alert.alertType),
         statusCell(alert, now: now),
         TableCell(alert.executionStatus ?? "-", statusRole(alert.executionStatus)),
         TableCell(alert.title)]
    }

    /// The alert's status, or where a person put it while it fires (`acked`, `snoozed`, `silenced`).
    private func statusCell(_ alert: ConsoleAlert, now: Date) -> TableCell {
        guard alert.status == "firing" else { return TableCell(alert.status, .muted) }
        switch alert.handling.state(at: now) {
        case .untouched, .resolvedByHand: return TableCell("firing", .body)
        case .acknowledged: return TableCell("acked", .notice)
        case .snoozed: return TableCell("snoozed", .muted)
        case .silenced: return TableCell("silenced", .muted)
        }
    }

    /// Who acknowledged, snoozed, silenced or resolved the alert by hand, and until when.
    private func handlingLines(_ handling: AlertHandling, now: Date) -> [StyledLine] {
        var lines: [StyledLine] = []
        if let by = handling.acknowledgedBy {
            lines.append(.field("Acked", "by \(by)" + (handling.acknowledgedAt.map { " at \(formatting.timestamp($0))" } ?? ""), .notice))
        }
        if let by = handling.snoozedBy, let until = handling.snoozedUntil {
            let left = until > now ? " (\(Formatting.age(now, now: until)) left)" : " (over: it counts again)"
            lines.append(.field("Snoozed", "by \(by) until \(formatting.timestamp(until))\(left)", .muted))
        }
        if let by = handling.silencedBy, let until = handling.silencedUntil {
            lines.append(.field("Silenced", "at its Alertmanager by \(by) until \(formatting.timestamp(until))", .muted))
        }
        if let by = handling.resolvedBy {
            lines.append(.field("Resolved", "by hand by \(by): \(handling.resolutionReason ?? "")", .muted))
        }
        return lines
    }

    private func alertDetail(_ alert: ConsoleAlert, now: Date) -> [StyledLine] {
        var lines: [StyledLine] = [
            StyledLine([(severityLabel(alert.severity) + " ", severityRole(alert.severity)), (alert.title, .title)]),
            .field("Type", alert.alertType + "  (source \(alert.source))"),
            .field("Seen", "\(alert.count)× · first \(formatting.timestamp(alert.createdAt)) · last \(Formatting.age(alert.lastSeenAt, now: now)) ago"),
            .field("Status", alert.status, alert.status == "firing" ? .severityHigh : .muted),
            .field("Id", alert.id.uuidString.lowercased(), .muted),
        ] + handlingLines(alert.handling, now: now)
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

    private func drawAlertGroups(_ state: ConsoleState, layout: Layout, into grid: inout CellGrid) {
        let groups = state.alertGroups.items
        drawList(state.alertGroups, state: state, layout: layout, columns: Self.alertGroupColumns,
                 empty: "no alerts to group", cells: { group in
                     // An instance row under the row of its SOP shows only its instance.
                     let index = groups.firstIndex(of: group) ?? 0
                     let underItsSOP = group.instance != nil && index > 0 && groups[index - 1].name == group.name
                     return [TableCell(underItsSOP ? "  \(glyphs.arrow)" : group.name, underItsSOP ? .muted : .body),
                             TableCell(group.instance ?? "", .muted),
                             TableCell(severityLabel(group.worstSeverity), severityRole(group.worstSeverity)),
                             TableCell(String(group.firing), group.firing > 0 ? .severityHigh : .muted), TableCell(String(group.total)),
                             TableCell(group.joinedStorm > 0 ? "+\(group.joinedStorm)" : "", .changed),
                             TableCell(formatting.clock(group.latest, now: state.now), .muted)]
                 }, detail: { group in
                     [StyledLine([("\(state.alertGrouping == .sop ? "SOP" : "Type") ", .header), (group.name, .title)]),
                      .field("Instance", group.instance ?? "-"),
                      .field("Alerts", "\(group.firing) firing of \(group.total); \(group.joinedStorm) joined a run already open (a storm)"),
                      .field("Worst", group.worstSeverity, severityRole(group.worstSeverity)),
                      StyledLine(state.alertGrouping == .sop ? "Enter: this SOP's runs" : "Enter: the alerts of this type", .keyHint)]
                 }, into: &grid)
    }
}
