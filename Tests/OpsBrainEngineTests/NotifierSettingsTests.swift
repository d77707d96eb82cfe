import OpsBrainCore
import OpsBrainDocuments
import XCTest

/// The `notifications:`, `llm:` and `report:` sections of the config file, with file:line errors.
final class NotifierSettingsTests: XCTestCase {
    func testExampleConfigParsesWithTheLLMOff() throws {
        let path = #filePath.components(separatedBy: "/Tests/")[0] + "/opsbrain.example.yaml"
        let settings = try NotificationSettingsParser.parse(try String(contentsOfFile: path, encoding: .utf8), path: "opsbrain.example.yaml")
        XCTAssertEqual(settings.notifications.slack?.webhookURLEnv, "SLACK_WEBHOOK_URL")
        XCTAssertEqual(settings.notifications.slack?.channel, "#ops-alerts")
        XCTAssertEqual(settings.notifications.pagerduty?.routingKeyEnv, "PAGERDUTY_ROUTING_KEY")
        XCTAssertFalse(settings.llm.enabled)
        XCTAssertEqual(settings.report.dailyHour, 7)
    }

    func testEverySettingIsRead() throws {
        let text = """
            notifications:
              slack: {webhook_url_env: SLACK_URL, channel: "#ops", channels: {"#db": SLACK_DB_URL}, timeout: 5s}
              pushover: {token_env: PO_TOKEN, user_env: PO_USER, emergency_retry: 2m, emergency_expire: 1h}
              pagerduty: {routing_key_env: PD_KEY, url: "https://events.eu.pagerduty.com/v2/enqueue", source: host-1}
              max_attempts: 5
            llm:
              enabled: true
              base_url: http://127.0.0.1:11434/v1
              model: llama3.1
              price_per_million: {input: 0.15, output: 0.6}
              monthly_budget_usd: 20
              use_for: [report, learning]
            report:
              daily_at: "06:30"
              time_zone: Europe/Berlin
              learning_day: sunday
              usage_thresholds: [90, 80, 95]
              tls_warning_days: 30
            """
        let settings = try NotificationSettingsParser.parse(text, path: "c.yaml")
        XCTAssertEqual(settings.notifications.slack?.channelWebhookEnvs, ["#db": "SLACK_DB_URL"])
        XCTAssertEqual(settings.notifications.slack?.timeout, .seconds(5))
        XCTAssertEqual(settings.notifications.pushover?.emergencyRetrySeconds, 120)
        XCTAssertEqual(settings.notifications.pushover?.emergencyExpireSeconds, 3600)
        XCTAssertEqual(settings.notifications.pagerduty?.url, "https://events.eu.pagerduty.com/v2/enqueue")
        XCTAssertEqual(settings.notifications.maxAttempts, 5)
        XCTAssertEqual(settings.llm.purposes, [.report, .learning])
        XCTAssertEqual(settings.llm.monthlyBudgetUSD, 20)
        XCTAssertEqual(settings.llm.inputPricePerMillion, 0.15)
        XCTAssertEqual(settings.report.dailyHour, 6)
        XCTAssertEqual(settings.report.dailyMinute, 30)
        XCTAssertEqual(settings.report.learningWeekday, 7)
        XCTAssertEqual(settings.report.usageThresholds, [80, 90, 95])
    }

    func testSecretsCannotBeWrittenIntoTheFile() {
        let text = "notifications:\n  slack:\n    webhook_url: https://hooks.slack.com/services/T0/B0/XXXX\n"
        XCTAssertThrowsError(try NotificationSettingsParser.parse(text, path: "c.yaml")) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains("c.yaml:3: error: unknown key 'notifications.slack.webhook_url'"), message)
            XCTAssertTrue(message.contains("c.yaml:3: error: key 'notifications.slack.webhook_url_env' is missing"), message)
        }
    }

    func testMistakesNameTheLineAndKey() {
        let cases: [(String, String)] = [
            ("report:\n  daily_at: \"7am\"\n", "c.yaml:2: error: key 'report.daily_at': '7am' is not a time of day like 07:00"),
            ("report:\n  learning_day: funday\n", "c.yaml:2: error: key 'report.learning_day': 'funday' is not one of monday"),
            ("notifications:\n  pushover: {token_env: A, user_env: B, emergency_retry: 10s}\n",
             "c.yaml:2: error: key 'notifications.pushover.emergency_retry': Pushover needs at least 30s"),
            ("llm:\n  enabled: true\n  monthly_budget_usd: 10\n  api_key_env: K\n",
             "c.yaml:2: error: key 'llm': monthly_budget_usd needs price_per_million"),
            ("llm:\n  enabled: true\n", "c.yaml:2: error: key 'llm': api.openai.com needs api_key_env"),
            ("llm:\n  temperature: hot\n", "c.yaml:2: error: key 'llm.temperature': expected a number, got 'hot'"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try NotificationSettingsParser.parse(text, path: "c.yaml"), text) { error in
                XCTAssertTrue("\(error)".hasPrefix(expected), "\(error)\nexpected: \(expected)")
            }
        }
    }
}
