/// The ops console module: views over the live pipeline, for the on-call engineer.
public enum ConsoleModule {
    /// The views, in the order of their number keys.
    public static let viewNames = ["alerts", "executions", "approvals", "sops", "audit", "dryrun"]
}
