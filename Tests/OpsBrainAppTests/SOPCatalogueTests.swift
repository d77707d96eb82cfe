import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainDocuments
import XCTest

/// The shipped catalogue: every runbook the seed plan names, each lint-clean against the example config.
final class SOPCatalogueTests: XCTestCase {
    static let repository = #filePath.components(separatedBy: "/Tests/")[0]

    /// Every runbook named in the seed plan's library tree and its initial list of 20, plus the
    /// runbooks for what teams run everywhere.
    static let expectedNames = [
        "railway-deploy-failed", "server-out-of-memory", "ssl-cert-expiring", "database-connection-pool-exhausted",
        "service-unresponsive", "twilio-auth-failed", "twilio-sms-delivery-low", "openai-rate-limited",
        "openai-quota-exceeded", "deepgram-transcription-failed", "supabase-connection-dropped", "slack-webhook-failed",
        "lead-sync-stuck", "duplicate-leads-detected", "orphaned-communications", "sequence-enrollment-stuck",
        "conversion-not-tracked", "endpoint-500-error", "endpoint-timeout", "rate-limit-exceeded", "auth-token-expired",
        "cors-error", "build-failed", "asset-404", "white-screen-of-death", "slow-page-load", "conversion-rate-dropped",
        "sms-delivery-rate-low", "no-calls-in-2-hours", "lead-response-time-high", "openai-spend-spike",
        "twilio-spend-spike", "database-storage-growing", "database-connection-dropped", "server-memory-high",
        // what teams run everywhere
        "service-down", "disk-filling", "temp-directory-growth", "log-file-too-large", "postgres-idle-in-transaction",
        "redis-memory-high", "queue-backlog", "http-5xx-rate-high", "latency-high", "cron-job-missed",
        "auth-failure-spike", "rate-limit-abuse",
    ]

    private func lintCatalogue() throws -> SOPLintReport {
        let configText = try String(contentsOfFile: Self.repository + "/opsbrain.example.yaml", encoding: .utf8)
        let config = try ConfigParser.parse(configText, path: "opsbrain.example.yaml")
        let (sources, problems) = SOPFiles.collect([Self.repository + "/SOPs"])
        XCTAssertEqual(problems, [])
        return SOPLinter.lint(sources, config: config)
    }

    func testEveryShippedSOPLintsCleanAgainstTheExampleConfig() throws {
        let report = try lintCatalogue()
        XCTAssertEqual(report.issues.map(\.description), [])
        XCTAssertGreaterThanOrEqual(report.documents.count, 50)
        let names = Set(report.documents.map(\.definition.name))
        for name in Self.expectedNames {
            XCTAssertTrue(names.contains(name), "SOPs/ lacks \(name)")
        }
    }

    func testEveryRunbookHasRealStepsAndNoPlaceholders() throws {
        for document in try lintCatalogue().documents {
            let definition = document.definition
            XCTAssertFalse(definition.diagnosis.isEmpty, definition.name)
            XCTAssertFalse(definition.escalateIf.isEmpty, "\(definition.name) has no escalation rule")
            for marker in ["TODO", "TBD", "FIXME", "lorem", "<placeholder>"] {
                XCTAssertFalse(document.sourceText.contains(marker), "\(definition.name) contains \(marker)")
            }
            if definition.fix.contains(where: { !$0.operation.isCommunication }) {
                XCTAssertTrue(!definition.verification.steps.isEmpty || definition.verification.rerunAlertCheck,
                              "\(definition.name) fixes without verifying")
            }
        }
    }

    /// Every `{{name}}` in a shipped SOP is declared and every declaration is used; nothing of a
    /// placeholder survives parsing but `{{instance}}` (filled in when a metric step runs); the
    /// runbook's Parameters section lists each one.
    func testEveryShippedPlaceholderIsDeclaredSubstitutedAndDocumented() throws {
        let placeholder = try Regex(#"\{\{\s*([a-z][a-z0-9_]*)\s*\}\}"#)
        for document in try lintCatalogue().documents {
            let definition = document.definition
            let frontMatter = document.sourceText.components(separatedBy: "\n---\n")[0]
            let used = Set(frontMatter.matches(of: placeholder).compactMap { $0.output[1].substring.map(String.init) })
            XCTAssertEqual(used.subtracting([SOPParameter.instancePlaceholder]), Set(definition.parameters.map(\.name)), definition.name)
            let parsed = "\(definition.trigger) \(definition.diagnosis) \(definition.fix) \(definition.verification) \(definition.escalateIf)"
            XCTAssertFalse(parsed.replacingOccurrences(of: "{{instance}}", with: "").contains("{{"), "\(definition.name) keeps a placeholder after parsing")
            for parameter in definition.parameters {
                XCTAssertTrue(document.body.contains("- `\(parameter.name)` (\(parameter.kind.rawValue), default `\(parameter.defaultValue)`)"),
                              "\(definition.name)'s runbook does not list \(parameter.name)")
            }
        }
    }

    /// A stock stack (nginx's exporter, its own health path, a job table in a schema) is set up
    /// through opsbrain.yaml alone, with no edit to a shipped SOP.
    func testAStockStackIsConfiguredThroughTheConfigAlone() throws {
        let config = try ConfigParser.parse("""
            sop_parameters:
              defaults:
                app_job: nginx
                health_path: /healthz
                requests_metric: nginx_http_requests_total
                status_label: code
                jobs_table: ops.background_jobs
            """, path: "stock.yaml")
        let (sources, _) = SOPFiles.collect([Self.repository + "/SOPs"])
        let report = SOPLinter.lint(sources, config: config)
        XCTAssertEqual(report.issues.filter { $0.level == .error }.map(\.description), [])
        let sops = Dictionary(uniqueKeysWithValues: report.documents.map { ($0.definition.name, $0.definition) })
        let serviceDown = try XCTUnwrap(sops["service-down"])
        XCTAssertEqual(serviceDown.diagnosis.first { $0.id == "scrape_up" }?.parameters["query"],
                       .string(#"min(up{job="nginx",instance=~"{{instance}}"}) or vector(0)"#))
        XCTAssertEqual(serviceDown.diagnosis.first { $0.id == "api_health" }?.parameters["path"], .string("/healthz"))
        let errorQuery = try XCTUnwrap(sops["http-5xx-rate-high"]?.diagnosis.first?.parameters["query"]?.stringValue)
        XCTAssertTrue(errorQuery.contains(#"nginx_http_requests_total{job="nginx",code=~"5.."}"#), errorQuery)
        let backlog = try XCTUnwrap(sops["queue-backlog"]?.diagnosis.first?.parameters["query"]?.stringValue)
        XCTAssertTrue(backlog.contains("FROM ops.background_jobs"), backlog)
    }

    func testSecuritySOPsAreEscalateOnly() throws {
        for document in try lintCatalogue().documents where document.definition.category == "security" {
            XCTAssertFalse(document.definition.autoFix, document.definition.name)
            XCTAssertTrue(document.definition.fix.allSatisfy(\.operation.isCommunication), document.definition.name)
        }
    }

    /// The seed plan's worked example, step for step.
    func testSeedTwilioExampleIsExpressedExactly() throws {
        let twilio = try XCTUnwrap(try lintCatalogue().documents.first { $0.definition.name == "twilio-sms-delivery-low" })
        let sop = twilio.definition
        XCTAssertEqual(sop.severity, .high)
        XCTAssertTrue(sop.autoFix)
        XCTAssertEqual(sop.diagnosis.count, 6)
        XCTAssertEqual(sop.diagnosis.first?.expect["rate"], Expectation([.gte(85)]))
        let fixes = Dictionary(uniqueKeysWithValues: sop.fix.map { ($0.id, $0) })
        XCTAssertEqual(fixes["quarantine"]?.operation, .quarantineRecords)
        XCTAssertEqual(fixes["quarantine"]?.when, try Condition(parsing: "invalid_numbers.value > 0"))
        XCTAssertEqual(fixes["switch_sender"]?.declaredClass, .credentials)
        XCTAssertEqual(fixes["balance_low"]?.operation, .escalate)
        XCTAssertEqual(fixes["balance_low"]?.declaredClass, .billing)
        XCTAssertEqual(fixes["pause_sequences"]?.operation, .featureFlag)
        XCTAssertEqual(sop.verification.waitBefore, .seconds(15 * 60))
        XCTAssertEqual(sop.verification.attempts, 2)
        XCTAssertEqual(sop.escalateIf.first?.when, try Condition(parsing: "attempts >= 2"))
        XCTAssertEqual(sop.notification.slackChannel, "#ops-alerts")
        XCTAssertEqual(sop.notification.pushover, .escalation)
    }
}
