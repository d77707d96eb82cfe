import OpsBrainPostgres

extension ConsoleAlert: ListItem {
    public var listID: String { key.id }
    public var changeToken: String {
        [status, String(count), executionStatus ?? "-", handling.acknowledgedBy ?? "", handling.snoozedUntil.map { "\($0)" } ?? "",
         handling.silencedUntil.map { "\($0)" } ?? ""].joined(separator: " ")
    }
}

extension ConsoleExecution: ListItem {
    public var listID: String { key.id }
    public var changeToken: String { "\(status) \(attempts)" }
}

extension ConsoleApproval: ListItem {
    public var listID: String { executionID.uuidString.lowercased() }
    public var changeToken: String { "" }
}

extension ConsoleSOPStats: ListItem {
    public var listID: String { name }
    public var changeToken: String { recentOutcomes.joined(separator: ",") }
}

extension ConsoleAuditEntry: ListItem {
    public var listID: String { key.id }
    public var changeToken: String { "" }
}

extension ConsoleAlertGroup: ListItem {
    public var listID: String { name + "/" + (instance ?? "") }
    public var changeToken: String { "\(firing) \(total)" }
}
