/// Config and runbook texts shared by the engine and console tests.
public enum TestRunbooks {
    /// Targets for an app database at `url`: the database, a reversible retry statement on a
    /// `jobs` table, and an HTTP billing API nothing listens on.
    public static func targets(url: String) -> String {
        """
        targets:
          app_db:
            type: postgres
            url: "\(url)"
          retry_jobs:
            type: statement
            database: app_db
            sql: "UPDATE jobs j SET status = 'pending' FROM jobs o WHERE o.id = j.id AND o.status = 'failed' RETURNING j.id, o.status AS previous"
            table: jobs
            restore_column: status
          billing_api:
            type: http
            url: http://127.0.0.1:9/billing
        """
    }

    /// A minimal valid runbook body (every section the linter requires).
    public static let body = """
        # runbook

        ## Trigger
        See front matter.

        ## Severity
        HIGH

        ## Auto-Fix Allowed
        YES

        ## Diagnosis Steps
        1. Check.

        ## Fix Steps
        1. Fix.

        ## Verification
        - Check again.

        ## Escalate If
        - It fails twice.

        ## Notification
        Slack: #ops-alerts
        """
}
