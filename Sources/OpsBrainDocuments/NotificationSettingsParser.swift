import OpsBrainCore
import Yams

/// Reads the `notifications:`, `llm:` and `report:` sections of `opsbrain.yaml` into typed
/// settings, naming the file, line and key of every mistake. Secrets only as `*_env` names:
/// a key such as `webhook_url` is unknown, so a secret cannot end up in the file by accident.
public enum NotificationSettingsParser {
    /// Parses the three sections of config text from `path` (used in messages only).
    public static func parse(_ text: String, path: String) throws -> OperationsSettings {
        let issues = IssueCollector(file: path)
        var settings = OperationsSettings()
        if let node = YAMLText.compose(text, lineOffset: 0, issues: issues), case .mapping = node {
            let fields = YAMLField(node: node, path: "", lineOffset: 0, issues: issues).mapping() ?? [:]
            if let field = fields["notifications"] { settings.notifications = readNotifications(field) }
            if let field = fields["llm"] { settings.llm = readLLM(field) }
            if let field = fields["report"] { settings.report = readReport(field) }
        }
        if issues.hasErrors { throw ConfigParser.Failure(issues: issues.issues) }
        return settings
    }

    // MARK: notifications

    private static func readNotifications(_ field: YAMLField) -> NotificationSettings {
        var settings = NotificationSettings()
        guard case .mapping = field.node, let parts = field.mapping(allowed: ["slack", "pushover", "pagerduty", "max_attempts"]) else {
            if case .scalar(let scalar) = field.node, scalar.string.isEmpty || scalar.string == "null" { return settings }
            _ = field.mapping()
            return settings
        }
        settings.slack = parts["slack"].flatMap(readSlack)
        settings.pushover = parts["pushover"].flatMap(readPushover)
        settings.pagerduty = parts["pagerduty"].flatMap(readPagerDuty)
        if let attempts = parts["max_attempts"]?.int(in: 1...50) { settings.maxAttempts = attempts }
        return settings
    }

    private static func readSlack(_ field: YAMLField) -> NotificationSettings.Slack? {
        guard let parts = field.mapping(allowed: ["webhook_url_env", "channel", "channels", "timeout"]),
              let env = required(parts, "webhook_url_env", in: field) else { return nil }
        var slack = NotificationSettings.Slack(webhookURLEnv: env, channel: parts["channel"]?.string())
        if let channels = parts["channels"]?.stringMap() { slack.channelWebhookEnvs = channels }
        if let timeout = parts["timeout"]?.duration(max: .seconds(120)) { slack.timeout = timeout }
        return slack
    }

    private static func readPushover(_ field: YAMLField) -> NotificationSettings.Pushover? {
        guard let parts = field.mapping(allowed: ["token_env", "user_env", "url", "emergency_retry", "emergency_expire", "timeout"]),
              let token = required(parts, "token_env", in: field), let user = required(parts, "user_env", in: field) else { return nil }
        var pushover = NotificationSettings.Pushover(tokenEnv: token, userEnv: user)
        if let url = parts["url"]?.string() { pushover.url = url }
        if let retry = parts["emergency_retry"] {
            if let value = retry.duration(), value >= .seconds(30) {
                pushover.emergencyRetrySeconds = Int(value.components.seconds)
            } else if retry.duration() != nil {
                retry.issues.error(retry.line, "key '\(retry.path)': Pushover needs at least 30s between emergency retries")
            }
        }
        if let expire = parts["emergency_expire"]?.duration(max: .seconds(10_800)) {
            pushover.emergencyExpireSeconds = Int(expire.components.seconds)
        }
        if let timeout = parts["timeout"]?.duration(max: .seconds(120)) { pushover.timeout = timeout }
        return pushover
    }

    private static func readPagerDuty(_ field: YAMLField) -> NotificationSettings.PagerDuty? {
        guard let parts = field.mapping(allowed: ["routing_key_env", "url", "source", "timeout"]),
              let key = required(parts, "routing_key_env", in: field) else { return nil }
        var pagerduty = NotificationSettings.PagerDuty(routingKeyEnv: key)
        if let url = parts["url"]?.string() { pagerduty.url = url }
        if let source = parts["source"]?.string() { pagerduty.source = source }
        if let timeout = parts["timeout"]?.duration(max: .seconds(120)) { pagerduty.timeout = timeout }
        return pagerduty
    }

    // MARK: llm

    private static let llmKeys: Set<String> = ["enabled", "base_url", "model", "api_key_env", "timeout", "max_retries", "max_tokens",
                                               "temperature", "price_per_million", "monthly_budget_usd", "monthly_token_budget", "use_for"]

    private static func readLLM(_ field: YAMLField) -> LLMSettings {
        var llm = LLMSettings()
        guard let parts = field.mapping(allowed: llmKeys) else { return llm }
        if let enabled = parts["enabled"]?.bool() { llm.enabled = enabled }
        if let base = parts["base_url"]?.string() { llm.baseURL = base }
        if let model = parts["model"]?.string() { llm.model = model }
        llm.apiKeyEnv = parts["api_key_env"]?.string()
        if let timeout = parts["timeout"]?.duration(max: .seconds(300)) { llm.timeout = timeout }
        if let retries = parts["max_retries"]?.int(in: 0...10) { llm.maxRetries = retries }
        if let tokens = parts["max_tokens"]?.int(in: 16...32_000) { llm.maxTokens = tokens }
        if let temperature = parts["temperature"]?.number(in: 0...2) { llm.temperature = temperature }
        if let prices = parts["price_per_million"]?.mapping(allowed: ["input", "output"]) {
            if let input = prices["input"]?.number(in: 0...10_000) { llm.inputPricePerMillion = input }
            if let output = prices["output"]?.number(in: 0...10_000) { llm.outputPricePerMillion = output }
        }
        llm.monthlyBudgetUSD = parts["monthly_budget_usd"]?.number(in: 0...1_000_000)
        llm.monthlyTokenBudget = parts["monthly_token_budget"]?.int(in: 0...1_000_000_000)
        if let uses = parts["use_for"]?.sequence() {
            llm.purposes = Set(uses.compactMap { $0.choice(LLMPurpose.self) })
        }
        if llm.monthlyBudgetUSD != nil, llm.inputPricePerMillion == 0, llm.outputPricePerMillion == 0 {
            field.issues.error(field.line, "key 'llm': monthly_budget_usd needs price_per_million (input, output) to count spending")
        }
        if llm.enabled, llm.apiKeyEnv == nil, llm.baseURL.contains("api.openai.com") {
            field.issues.error(field.line, "key 'llm': api.openai.com needs api_key_env (the variable holding the key)")
        }
        return llm
    }

    // MARK: report

    private static let weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    private static func readReport(_ field: YAMLField) -> ReportSettings {
        var report = ReportSettings()
        guard let parts = field.mapping(allowed: ["daily_at", "time_zone", "send", "learning_day", "prediction_horizon_days",
                                                  "usage_thresholds", "tls_warning_days"]) else { return report }
        if let at = parts["daily_at"], let text = at.string() {
            if let (hour, minute) = clockTime(text) {
                (report.dailyHour, report.dailyMinute) = (hour, minute)
            } else {
                at.issues.error(at.line, "key '\(at.path)': '\(text)' is not a time of day like 07:00")
            }
        }
        if let zone = parts["time_zone"], let name = zone.string() {
            if name.isEmpty || name.contains(" ") {
                zone.issues.error(zone.line, "key '\(zone.path)': '\(name)' is not a time zone name like Europe/Berlin")
            } else {
                report.timeZone = name
            }
        }
        if let send = parts["send"]?.bool() { report.send = send }
        if let day = parts["learning_day"], let text = day.string() {
            if let index = weekdays.firstIndex(of: text.lowercased()) {
                report.learningWeekday = index + 1
            } else {
                day.issues.error(day.line, "key '\(day.path)': '\(text)' is not one of \(weekdays.joined(separator: ", "))")
            }
        }
        if let horizon = parts["prediction_horizon_days"]?.int(in: 1...365) { report.predictionHorizonDays = horizon }
        if let thresholds = parts["usage_thresholds"]?.sequence() {
            report.usageThresholds = thresholds.compactMap { $0.number(in: 1...100) }.sorted()
        }
        if let days = parts["tls_warning_days"]?.int(in: 1...365) { report.tlsWarningDays = days }
        return report
    }

    // MARK: Helpers

    private static func required(_ parts: [String: YAMLField], _ key: String, in field: YAMLField) -> String? {
        guard let value = parts[key] else {
            field.issues.error(field.line, "key '\(field.path).\(key)' is missing")
            return nil
        }
        return value.string()
    }

    /// `07:00`, `7:30`, `23:59` → (hour, minute).
    static func clockTime(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), parts[1].count == 2,
              (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        return (hour, minute)
    }
}

private extension YAMLField {
    /// A number within `range`, reported with the key when it is not.
    func number(in range: ClosedRange<Double>) -> Double? {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string), value.isFinite else {
            issues.error(line, "key '\(path)': expected a number, got \(YAMLField.describe(node))")
            return nil
        }
        guard range.contains(value) else {
            issues.error(line, "key '\(path)': \(scalar.string) is outside \(JSONValue.number(range.lowerBound).jsonText)...\(JSONValue.number(range.upperBound).jsonText)")
            return nil
        }
        return value
    }
}
