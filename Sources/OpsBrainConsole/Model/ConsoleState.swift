import Foundation
import OpsBrainCore
import OpsBrainPostgres

/// Everything the screen shows: a plain value, rendered by `ScreenRenderer` and changed by
/// `ConsoleController` (keys) and `ConsoleSession` (data).
public struct ConsoleState: Sendable {
    public var width = 80
    public var height = 24
    public var view: ViewID = .alerts
    public var previousView: ViewID = .alerts
    public var now = Date()
    public var readOnly = false
    public var paused = false
    /// Changes announced while paused, applied on resume.
    public var changesWhilePaused = 0
    public var status = StatusInfo()

    public var alerts = ListState<ConsoleAlert>()
    public var executions = ListState<ConsoleExecution>()
    public var approvals = ListState<ConsoleApproval>()
    public var sops = ListState<ConsoleSOPStats>()
    public var audit = ListState<ConsoleAuditEntry>()
    /// The selected execution's detail (Runs view).
    public var executionDetail: ConsoleExecutionDetail?
    public var dryRun = DryRunForm()
    /// Who else is looking at what: other consoles' users by the id (lower case) of the run or alert they have selected.
    public var watchers: [String: [String]] = [:]
    /// The Alerts view's order (`s` cycles it).
    public var alertSort = AlertSort.age
    /// The Alerts view's grouping (`=` cycles it), and the groups when it groups.
    public var alertGrouping = AlertGrouping.none
    public var alertGroups = ListState<ConsoleAlertGroup>()
    /// The incident view: the timeline of the incident opened with `i`.
    public var incident = IncidentPane()
    /// The runbook pane (`r` in Runs and Approvals) shows instead of the detail.
    public var runbookVisible = false
    /// The runbook read for the pane: the SOP's Markdown body.
    public var runbook: ConsoleRunbook?
    /// The SOP whose runbook was last asked for (asked once until another is needed).
    public var runbookAsked: String?

    /// The `/` filter of each list view.
    public var filters: [ViewID: ListFilter] = [:]
    /// Pages taken into each list so far: a reload read before the latest page is read again.
    var pagesTaken: [ViewID: Int] = [:]
    /// The audit view's field filters (`:audit kind=... actor=... sop=... exec=...`, `t` on an execution).
    public var auditFilter = AuditFilter()

    public var prompt: Prompt?
    public var dialog: ConfirmDialog?
    public var helpVisible = false
    public var helpScroll = 0
    public var detailZoomed = false
    public var detailScroll = 0
    public var message: ConsoleMessage?
    public var commandHistory: [String] = []
    public var keyMap = KeyMap.standard

    public init(width: Int = 80, height: Int = 24, readOnly: Bool = false) {
        self.width = width
        self.height = height
        self.readOnly = readOnly
    }

    /// The smallest screen the console draws on; below it, a "too small" screen.
    public static let minimumWidth = 50
    public static let minimumHeight = 12

    /// True when the terminal is below the minimum size.
    public var tooSmall: Bool { width < Self.minimumWidth || height < Self.minimumHeight }

    /// The active filter of the current view.
    public var filter: ListFilter? { filters[view] }

    /// The alert under the cursor; none while the Alerts view shows groups.
    public var selectedAlert: ConsoleAlert? { alertGrouping == .none ? alerts.selected : nil }

    /// What this console is looking at, for the other consoles: the selected run, approval's run or alert.
    public var presenceSubject: UUID? {
        switch view {
        case .alerts: return selectedAlert?.id
        case .executions: return executions.selected?.id
        case .approvals: return approvals.selected?.executionID
        case .audit: return audit.selected?.executionID
        case .incident, .sops, .dryRun: return nil
        }
    }

    /// The SOP of the selected run or approval, for the runbook pane.
    public var selectedSOPName: String? {
        switch view {
        case .executions: return executions.selected?.sopName
        case .approvals: return approvals.selected?.sopName
        default: return nil
        }
    }
}

/// An SOP's runbook text, as the runbook pane shows it.
public struct ConsoleRunbook: Sendable, Equatable {
    public var sopName: String
    public var version: Int
    public var text: String

    public init(sopName: String, version: Int, text: String) {
        self.sopName = sopName
        self.version = version
        self.text = text
    }
}

extension ConsoleState {
    /// Takes `view`'s rows from `read` (a copy this state was read into) as a reload.
    mutating func refreshList(_ view: ViewID, from read: ConsoleState, visibleRows rows: Int) {
        switch view {
        case .alerts:
            alerts.refresh(from: read.alerts, visibleRows: rows)
            if read.alertGrouping == alertGrouping { alertGroups.refresh(from: read.alertGroups, visibleRows: rows) }
        case .executions: executions.refresh(from: read.executions, visibleRows: rows)
        case .approvals: approvals.refresh(from: read.approvals, visibleRows: rows)
        case .sops: sops.refresh(from: read.sops, visibleRows: rows)
        case .audit: audit.refresh(from: read.audit, visibleRows: rows)
        case .incident where read.incident.subject == incident.subject: incident = read.incident
        case .dryRun, .incident: break
        }
    }

    /// Takes a page read into `read`: older or newer rows join the live list (the cursor stays on
    /// its row); a jump to the head or tail replaces the list, cursor included.
    mutating func takePage(_ view: ViewID, _ step: PageStep, from read: ConsoleState, limit: Int) {
        pagesTaken[view, default: 0] += 1
        switch view {
        case .alerts: alerts.take(step, from: read.alerts, limit: limit)
        case .executions: executions.take(step, from: read.executions, limit: limit)
        case .audit: audit.take(step, from: read.audit, limit: limit)
        case .approvals, .sops, .dryRun, .incident: break
        }
    }

    /// The execution detail read into `read`, when it is of the run the cursor is on now.
    mutating func takeDetail(from read: ConsoleState) {
        guard read.executionDetail == nil || read.executions.selected?.id == executions.selected?.id else { return }
        executionDetail = read.executionDetail
    }

    /// The SOP names read for the dry-run form.
    mutating func takeSOPNames(from read: ConsoleState) {
        (dryRun.sopNames, dryRun.sopIndex) = (read.dryRun.sopNames, read.dryRun.sopIndex)
    }
}
