/// What a key does in normal mode.
public enum ConsoleAction: Hashable, Sendable {
    case quit, help, back, clearOrBack, command, filter, pause, refresh, redraw
    case show(ViewID)
    case up, down, pageUp, pageDown, top, bottom
    case toggleDetail, detailUp, detailDown
    case approve, reject, rollback
    case toggleRunbook, openIncident, exportIncident, cycleSort, cycleGrouping
    case acknowledge, snooze, silence, resolveByHand
    case trail, openExecution, yank, dryRunFromSelection, editField, runDryRun, nextField, previousField, cycleForward, cycleBackward
}

extension ConsoleAction {
    /// The action's name in messages (`roll back is disabled`).
    var name: String {
        switch self {
        case .approve: return "approve"
        case .reject: return "reject"
        case .rollback: return "roll back"
        case .acknowledge: return "acknowledge"
        case .snooze: return "snooze"
        case .silence: return "silence"
        case .resolveByHand: return "resolve by hand"
        default: return "that"
        }
    }
}

/// A key binding, as data: the keys, what they do, where, and whether the action changes production.
public struct KeyBinding: Sendable, Equatable {
    public var keys: [Key]
    public var action: ConsoleAction
    public var help: String
    /// The views the binding works in; empty means everywhere.
    public var views: Set<ViewID>
    /// True for actions that change production (approve, reject, rollback): they sit away from navigation,
    /// ask for confirmation with a different key, and are refused in read-only mode.
    public var dangerous: Bool
    /// True for actions that write without changing production (what people do about alerts):
    /// refused in read-only mode like the dangerous ones.
    public var writes: Bool

    public init(_ keys: [Key], _ action: ConsoleAction, _ help: String, views: Set<ViewID> = [], dangerous: Bool = false,
                writes: Bool = false) {
        self.keys = keys
        self.action = action
        self.help = help
        self.views = views
        self.dangerous = dangerous
        self.writes = writes || dangerous
    }

    /// The keys as the help screen writes them (`j ↓`).
    public var label: String { keys.map(\.description).joined(separator: " ") }

    /// True when the binding applies in `view`.
    public func applies(in view: ViewID) -> Bool { views.isEmpty || views.contains(view) }
}

/// Every key binding of normal mode, in help order.
public struct KeyMap: Sendable {
    public var bindings: [KeyBinding]

    /// The action bound to `key` in `view`, if any; a view's own bindings win over global ones.
    public func binding(for key: Key, in view: ViewID) -> KeyBinding? {
        bindings.first { $0.views.contains(view) && $0.keys.contains(key) }
            ?? bindings.first { $0.views.isEmpty && $0.keys.contains(key) }
    }

    /// The standard bindings.
    public static let standard = KeyMap(bindings: [
        KeyBinding([.char("?")], .help, "this help: every key"),
        KeyBinding([.char("q"), .control("c")], .quit, "quit"),
        KeyBinding([.char("1")], .show(.alerts), "alerts: the live stream"),
        KeyBinding([.char("2")], .show(.executions), "runs: executions and their pipeline"),
        KeyBinding([.char("3")], .show(.approvals), "approvals waiting for a decision"),
        KeyBinding([.char("4")], .show(.sops), "SOP statistics"),
        KeyBinding([.char("5")], .show(.audit), "audit trail"),
        KeyBinding([.char("6")], .show(.dryRun), "dry-run an SOP"),
        KeyBinding([.char("7")], .show(.incident), "the incident last opened with i: its whole timeline"),
        KeyBinding([.char(":")], .command, "command mode (:alerts :runs :approvals :sops :audit :dryrun :theme :q)"),
        KeyBinding([.char("/")], .filter, "filter by regex; /! keeps what does not match", views: [.alerts, .executions, .approvals, .sops, .audit]),
        KeyBinding([.escape], .clearOrBack, "dismiss the message, clear the filter or leave the full detail, else back"),
        KeyBinding([.char("-")], .back, "back to the previous view (its filter kept)"),
        KeyBinding([.char("p")], .pause, "pause/resume the live stream"),
        KeyBinding([.control("r")], .refresh, "reload now"),
        KeyBinding([.control("l")], .redraw, "redraw the screen"),
        KeyBinding([.char("j"), .down], .down, "next row"),
        KeyBinding([.char("k"), .up], .up, "previous row"),
        KeyBinding([.pageDown, .control("f")], .pageDown, "page down"),
        KeyBinding([.pageUp, .control("b")], .pageUp, "page up"),
        KeyBinding([.char("g"), .home], .top, "newest (top)"),
        KeyBinding([.char("G"), .end], .bottom, "oldest (bottom)"),
        KeyBinding([.enter], .toggleDetail, "full-screen detail on/off",
                   views: [.alerts, .executions, .approvals, .sops, .audit]),
        KeyBinding([.char("J")], .detailDown, "scroll the detail down", views: [.alerts, .executions, .approvals, .sops, .audit]),
        KeyBinding([.char("K")], .detailUp, "scroll the detail up", views: [.alerts, .executions, .approvals, .sops, .audit]),
        KeyBinding([.char("a")], .acknowledge, "acknowledge the alert: you are on it (every console shows who)", views: [.alerts],
                   writes: true),
        KeyBinding([.char("z")], .snooze, "snooze the alert for a time: out of the firing count until then", views: [.alerts],
                   writes: true),
        KeyBinding([.char("S")], .silence, "silence the alert at its Alertmanager for a time (asks how long)", views: [.alerts],
                   writes: true),
        KeyBinding([.char("X")], .resolveByHand, "resolve the alert by hand, with a reason (not counted as a fix)", views: [.alerts],
                   writes: true),
        KeyBinding([.char("s")], .cycleSort, "sort alerts: newest, severity, status, count (shown in the frame title)", views: [.alerts]),
        KeyBinding([.char("=")], .cycleGrouping, "group alerts by type, by SOP (instance targets under it), or not; Enter opens a group",
                   views: [.alerts]),
        KeyBinding([.char("i")], .openIncident, "the incident's timeline: alert, every run, steps, approvals, notifications",
                   views: [.alerts, .executions, .approvals, .audit]),
        KeyBinding([.char("E")], .exportIncident, "write the incident's postmortem draft (Markdown) to a file", views: [.incident]),
        KeyBinding([.char("j"), .down], .detailDown, "scroll the timeline", views: [.incident]),
        KeyBinding([.char("k"), .up], .detailUp, "scroll the timeline back", views: [.incident]),
        KeyBinding([.char("r")], .toggleRunbook, "the SOP's runbook in the detail pane, on/off", views: [.executions, .approvals]),
        KeyBinding([.char("t")], .trail, "audit trail of the selected execution", views: [.alerts, .executions, .approvals]),
        KeyBinding([.char("o")], .openExecution, "open the selected row's execution in Runs", views: [.alerts, .approvals, .audit]),
        KeyBinding([.char("c")], .yank, "copy the row's alert or execution id (OSC 52 clipboard; not y, which confirms)",
                   views: [.alerts, .executions, .approvals, .audit, .incident]),
        KeyBinding([.char("d")], .dryRunFromSelection, "dry-run with the selected alert or SOP", views: [.alerts, .sops]),
        KeyBinding([.char("A")], .approve, "approve the selected fix (asks first)", views: [.approvals, .executions], dangerous: true),
        KeyBinding([.char("R")], .reject, "reject the selected fix with a reason (asks first)",
                   views: [.approvals, .executions], dangerous: true),
        KeyBinding([.char("B")], .rollback, "roll back the selected finished execution (type 'rollback' to confirm)",
                   views: [.executions], dangerous: true),
        KeyBinding([.down, .tab], .nextField, "next field (in the form, letters type into the field)", views: [.dryRun]),
        KeyBinding([.up, .backTab], .previousField, "previous field", views: [.dryRun]),
        KeyBinding([.right], .cycleForward, "next choice (or type the start of a name)", views: [.dryRun]),
        KeyBinding([.left], .cycleBackward, "previous choice", views: [.dryRun]),
        KeyBinding([.enter], .editField, "edit the field (Enter on Run starts the dry run)", views: [.dryRun]),
        KeyBinding([.pageDown], .detailDown, "scroll the result down", views: [.dryRun]),
        KeyBinding([.pageUp], .detailUp, "scroll the result up", views: [.dryRun]),
        KeyBinding([.control("x")], .runDryRun, "run the dry run: real diagnosis, planned fixes, nothing changed", views: [.dryRun]),
    ])
}
