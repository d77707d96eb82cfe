import Foundation
import OpsBrainCore

/// Work a key asks for that the pure controller cannot do itself: reads, writes and leaving.
public enum ConsoleEffect: Sendable, Equatable {
    case quit
    /// Reload the view's list (its loaded window) and the status counts.
    case reload(ViewID)
    /// Read the next page below the window.
    case loadOlder(ViewID)
    /// Read the page above the window.
    case loadNewer(ViewID)
    /// Go back to the newest rows.
    case loadHead(ViewID)
    /// Jump to the oldest rows.
    case loadTail(ViewID)
    /// Read the selected execution's detail.
    case loadDetail
    /// Approve or reject the target's fix (dangerous: refused in read-only mode where it is dispatched).
    case decide(ActionTarget, approve: Bool, reason: String?)
    /// Ask the engine to roll back the target's fixes (dangerous).
    case rollback(ActionTarget)
    /// Start a dry run in the background.
    case dryRun(DryRunRequest)
    /// Read the SOP names for the dry-run form, choosing the SOP the matcher picks for the alert, if one is given.
    case loadSOPNames(matching: UUID?)
    /// Acknowledge, snooze, silence or resolve an alert (refused in read-only mode where it is dispatched).
    case alertAction(AlertActionRequest)
    /// Write the incident's postmortem draft to a file.
    case exportIncident(IncidentTimeline)
    /// Read an SOP's runbook for the runbook pane.
    case loadRunbook(String)
    case setTheme(String)
    /// Copy the text to the clipboard through the terminal (OSC 52), written after the next paint.
    case copyToClipboard(String)
    /// Repaint everything (Ctrl-L).
    case redraw

    /// True for the effects that write: the dangerous ones and what people do about alerts.
    public var writes: Bool {
        if case .alertAction = self { return true }
        return isDangerous
    }

    /// True for the effects that change production.
    public var isDangerous: Bool {
        switch self {
        case .decide, .rollback: return true
        default: return false
        }
    }
}
