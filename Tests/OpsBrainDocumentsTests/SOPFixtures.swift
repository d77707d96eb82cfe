import Foundation
import OpsBrainCore
import OpsBrainDocuments

/// Builds SOP file texts for tests: a valid baseline with parts swapped out.
enum SOPFixtures {
    static let config = try! ConfigParser.parse("""
        targets:
          app_db: {type: postgres, url_env: APP_DB}
          cache: {type: redis, url: redis://127.0.0.1:6379}
          web: {type: http, url: http://127.0.0.1:8080}
          tmp: {type: path, path: /tmp/app}
          admin: {type: http, url: http://127.0.0.1:8080/admin, class: credentials}
        """, path: "test.yaml")

    static let body = """
        # disk-filling

        ## Trigger
        Disk above 90%.

        ## Severity
        HIGH

        ## Auto-Fix Allowed
        YES

        ## Diagnosis Steps
        1. Check disk usage.

        ## Fix Steps
        1. Clean temp files.

        ## Verification
        - Disk below 80%.

        ## Escalate If
        - Two attempts fail.

        ## Notification
        Slack: #ops-alerts
        """

    /// A valid SOP; `frontMatter` replaces the whole front matter when given.
    static func sop(name: String = "disk-filling", autoFix: Bool = true, trigger: String? = nil,
                    diagnosis: String? = nil, fix: String? = nil, extra: String = "", body: String = body) -> String {
        """
        ---
        name: \(name)
        category: infrastructure
        agent: infra
        description: Disk is filling up.
        severity: high
        risk: low
        auto_fix: \(autoFix)
        requires_approval: false
        \(trigger ?? """
        trigger:
          alert_types: [disk_usage_high]
          title_patterns: ["(?i)disk"]
        """)
        \(diagnosis ?? """
        diagnosis:
          - id: disk
            type: disk_usage
            target: tmp
            expect: {used_percent: {lt: 90}}
        """)
        \(fix ?? """
        fix:
          - id: clean
            operation: temp_cleanup
            when: "disk.used_percent >= 90"
            target: tmp
            older_than: 1d
        """)
        verification:
          wait_before: 5s
          attempts: 2
          steps:
            - id: disk_ok
              type: disk_usage
              target: tmp
              expect: {used_percent: {lt: 80}}
        escalate_if:
          - when: "attempts >= 2"
            reason: Cleanup did not help
        \(extra)
        ---
        \(body)
        """
    }

    static func lint(_ text: String, path: String = "SOPs/infrastructure/disk-filling.md",
                     config: OpsBrainConfig? = SOPFixtures.config) -> SOPLintReport {
        SOPLinter.lint([SOPSource(path: path, bytes: Array(text.utf8))], config: config)
    }
}
