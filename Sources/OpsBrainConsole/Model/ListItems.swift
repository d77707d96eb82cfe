import OpsBrainPostgres

extension ConsoleAlert: ListItem {
    public var listID: String { key.id }
}

extension ConsoleExecution: ListItem {
    public var listID: String { key.id }
}

extension ConsoleApproval: ListItem {
    public var listID: String { executionID.uuidString.lowercased() }
}

extension ConsoleSOPStats: ListItem {
    public var listID: String { name }
}

extension ConsoleAuditEntry: ListItem {
    public var listID: String { key.id }
}
