import Foundation
import OpsBrainCore

extension ScreenRenderer {
    /// The incident view: the stages with their times, then every entry of the timeline in order.
    func drawIncident(_ state: ConsoleState, rect: Rect, into grid: inout CellGrid) {
        let pane = state.incident
        let lines: [StyledLine]
        if let timeline = pane.timeline {
            lines = incidentLines(timeline)
        } else if let error = pane.error {
            lines = [StyledLine(error, .error)]
        } else if pane.subject == nil {
            lines = [StyledLine("press i on an alert, a run or an approval to open its incident here", .muted)]
        } else {
            lines = [StyledLine("loading the incident of \(pane.subject?.shortID ?? "?")…", .muted)]
        }
        drawLines(lines, in: rect, scroll: state.detailScroll, into: &grid)
    }

    /// The timeline as lines: title, SOPs, stages, then `time kind run text` for each entry.
    func incidentLines(_ timeline: IncidentTimeline) -> [StyledLine] {
        var lines = [
            StyledLine([("Incident  ", .title), (timeline.title, .header), (timeline.isOpen ? "  (open)" : "  (closed)", .muted)]),
            .field("SOPs", timeline.sopsUsed.map { "\($0.name)" + ($0.version.map { " v\($0)" } ?? "") }.joined(separator: ", ")),
            StyledLine("Time to each stage", .header),
        ]
        lines += timeline.stages.map { stage in
            StyledLine([("  " + TextWidth.fit(stage.stage.label, to: 18, ellipsis: ""), .body),
                         (formatting.timestamp(stage.at), .muted),
                         ("  +\(Formatting.duration(milliseconds: Int(stage.sinceAlert * 1000)))", .title),
                         ("  (\(Formatting.duration(milliseconds: Int(stage.sincePrevious * 1000))) after the one before)", .muted)])
        }
        lines.append(StyledLine("Timeline", .header))
        lines += timeline.entries.map { entry in
            StyledLine([("  \(formatting.timestamp(entry.at)) ", .muted),
                        (TextWidth.fit(entry.kind.rawValue.replacingOccurrences(of: "_", with: " "), to: 19, ellipsis: ""), entryRole(entry.kind)),
                        (entry.executionID.map { Formatting.shortID($0) + " " } ?? "         ", .muted), (entry.text, .body)])
        }
        return lines
    }

    private func entryRole(_ kind: IncidentTimeline.EntryKind) -> ThemeRole {
        switch kind {
        case .alertFired, .alertJoined: return .severityHigh
        case .alertResolved: return .pipelineSuccess
        case .approvalRequested, .approvalDecided: return .pipelineAwaitingApproval
        case .notification: return .notice
        case .step, .audit: return .body
        }
    }
}
