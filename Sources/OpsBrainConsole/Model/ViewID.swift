/// The console's top-level views, in the order of their number keys.
public enum ViewID: String, Sendable, CaseIterable, Hashable {
    case alerts, executions, approvals, sops, audit, dryRun, incident

    /// The tab label.
    public var title: String {
        switch self {
        case .alerts: return "Alerts"
        case .executions: return "Runs"
        case .approvals: return "Approvals"
        case .sops: return "SOPs"
        case .audit: return "Audit"
        case .dryRun: return "Dry-run"
        case .incident: return "Incident"
        }
    }

    /// The number key that opens the view.
    public var number: Int { ViewID.allCases.firstIndex(of: self)! + 1 }

    /// The `:` commands that open the view (the first is the canonical one).
    public var commands: [String] {
        switch self {
        case .alerts: return ["alerts", "alert", "al"]
        case .executions: return ["runs", "executions", "exec", "ex"]
        case .approvals: return ["approvals", "approval", "ap"]
        case .sops: return ["sops", "sop"]
        case .audit: return ["audit", "au", "log"]
        case .dryRun: return ["dryrun", "dry-run", "dry", "dr"]
        case .incident: return ["incident", "inc", "timeline"]
        }
    }

    /// True for views that show a database list with a cursor.
    public var isList: Bool { self != .dryRun && self != .incident }
}
