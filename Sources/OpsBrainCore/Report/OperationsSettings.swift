/// The `notifications:`, `llm:` and `report:` sections of `opsbrain.yaml`, typed.
public struct OperationsSettings: Sendable, Equatable {
    public var notifications: NotificationSettings
    public var llm: LLMSettings
    public var report: ReportSettings

    public init(notifications: NotificationSettings = .init(), llm: LLMSettings = .init(), report: ReportSettings = .init()) {
        self.notifications = notifications
        self.llm = llm
        self.report = report
    }
}

/// Where notifications go. Secrets are only named here (`*_env`); the values stay in the environment.
public struct NotificationSettings: Sendable, Equatable {
    /// A Slack incoming webhook, plus optional per-channel webhooks (an SOP names a channel).
    public struct Slack: Sendable, Equatable {
        public var webhookURLEnv: String
        /// The channel used when an SOP names none.
        public var channel: String?
        /// Channel name → environment variable holding that channel's own webhook URL.
        public var channelWebhookEnvs: [String: String]
        public var timeout: Duration

        public init(webhookURLEnv: String, channel: String? = nil, channelWebhookEnvs: [String: String] = [:],
                    timeout: Duration = .seconds(10)) {
            self.webhookURLEnv = webhookURLEnv
            self.channel = channel
            self.channelWebhookEnvs = channelWebhookEnvs
            self.timeout = timeout
        }
    }

    /// Pushover: escalations only (unless an SOP says `always`), emergency priority for critical.
    public struct Pushover: Sendable, Equatable {
        public static let defaultURL = "https://api.pushover.net/1/messages.json"
        public var tokenEnv: String
        public var userEnv: String
        public var url: String
        /// Emergency (priority 2) messages repeat every `retry` seconds (≥ 30) until acknowledged or `expire` (≤ 10800).
        public var emergencyRetrySeconds: Int
        public var emergencyExpireSeconds: Int
        public var timeout: Duration

        public init(tokenEnv: String, userEnv: String, url: String = Pushover.defaultURL, emergencyRetrySeconds: Int = 60,
                    emergencyExpireSeconds: Int = 3600, timeout: Duration = .seconds(10)) {
            self.tokenEnv = tokenEnv
            self.userEnv = userEnv
            self.url = url
            self.emergencyRetrySeconds = emergencyRetrySeconds
            self.emergencyExpireSeconds = emergencyExpireSeconds
            self.timeout = timeout
        }
    }

    /// PagerDuty Events API v2: trigger on escalation, resolve later, one dedup key per execution.
    public struct PagerDuty: Sendable, Equatable {
        public static let defaultURL = "https://events.pagerduty.com/v2/enqueue"
        public var routingKeyEnv: String
        public var url: String
        /// `payload.source`: the system the events are about.
        public var source: String
        public var timeout: Duration

        public init(routingKeyEnv: String, url: String = PagerDuty.defaultURL, source: String = "opsbrain",
                    timeout: Duration = .seconds(10)) {
            self.routingKeyEnv = routingKeyEnv
            self.url = url
            self.source = source
            self.timeout = timeout
        }
    }

    public var slack: Slack?
    public var pushover: Pushover?
    public var pagerduty: PagerDuty?
    /// Attempts per delivery before it is marked failed for good.
    public var maxAttempts: Int

    public init(slack: Slack? = nil, pushover: Pushover? = nil, pagerduty: PagerDuty? = nil, maxAttempts: Int = 8) {
        self.slack = slack
        self.pushover = pushover
        self.pagerduty = pagerduty
        self.maxAttempts = maxAttempts
    }

    /// The channels that have settings.
    public var configuredChannels: Set<NotificationChannelKind> {
        var channels: Set<NotificationChannelKind> = []
        if slack != nil { channels.insert(.slack) }
        if pushover != nil { channels.insert(.pushover) }
        if pagerduty != nil { channels.insert(.pagerduty) }
        return channels
    }
}

/// Where the LLM is consulted. Matching and diagnosis summaries are advice shown to people, never decisions.
public enum LLMPurpose: String, Sendable, CaseIterable, Codable {
    case matching, diagnosis, report, learning
}

/// The optional LLM assist: off unless `enabled`, any OpenAI-compatible endpoint, a hard monthly budget.
public struct LLMSettings: Sendable, Equatable {
    public var enabled: Bool
    /// The API base, e.g. `https://api.openai.com` or `http://127.0.0.1:11434` (Ollama); `/v1/chat/completions` is appended.
    public var baseURL: String
    public var model: String
    /// The variable holding the API key; local servers may need none.
    public var apiKeyEnv: String?
    public var timeout: Duration
    /// Retries after the first try (rate limits, 408/409/5xx, transport errors).
    public var maxRetries: Int
    public var maxTokens: Int
    public var temperature: Double
    /// USD per million prompt / completion tokens, for cost accounting.
    public var inputPricePerMillion: Double
    public var outputPricePerMillion: Double
    /// The month's spending cap in USD; nil for none.
    public var monthlyBudgetUSD: Double?
    /// The month's token cap; nil for none.
    public var monthlyTokenBudget: Int?
    public var purposes: Set<LLMPurpose>

    public init(enabled: Bool = false, baseURL: String = "https://api.openai.com", model: String = "gpt-4o-mini",
                apiKeyEnv: String? = nil, timeout: Duration = .seconds(30), maxRetries: Int = 2, maxTokens: Int = 800,
                temperature: Double = 0.2, inputPricePerMillion: Double = 0, outputPricePerMillion: Double = 0,
                monthlyBudgetUSD: Double? = nil, monthlyTokenBudget: Int? = nil, purposes: Set<LLMPurpose> = Set(LLMPurpose.allCases)) {
        self.enabled = enabled
        self.baseURL = baseURL
        self.model = model
        self.apiKeyEnv = apiKeyEnv
        self.timeout = timeout
        self.maxRetries = maxRetries
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.inputPricePerMillion = inputPricePerMillion
        self.outputPricePerMillion = outputPricePerMillion
        self.monthlyBudgetUSD = monthlyBudgetUSD
        self.monthlyTokenBudget = monthlyTokenBudget
        self.purposes = purposes
    }

    /// True when the assist may be used for `purpose`.
    public func allows(_ purpose: LLMPurpose) -> Bool { enabled && purposes.contains(purpose) }
}

/// The daily report, the weekly learning run and the predictions they contain.
public struct ReportSettings: Sendable, Equatable {
    /// Local time of day the daily report is produced (default 07:00).
    public var dailyHour: Int
    public var dailyMinute: Int
    /// An IANA zone such as `Europe/Berlin`; nil for the machine's own.
    public var timeZone: String?
    /// Post the daily report to Slack when Slack is configured.
    public var send: Bool
    /// ISO weekday of the weekly learning run (1 = Monday ... 7 = Sunday), at the daily time.
    public var learningWeekday: Int
    /// How far ahead a trend counts as a predicted issue.
    public var predictionHorizonDays: Int
    /// Usage thresholds (percent) a trend is extrapolated to.
    public var usageThresholds: [Double]
    /// TLS certificates expiring within this many days are predicted issues.
    public var tlsWarningDays: Int

    public init(dailyHour: Int = 7, dailyMinute: Int = 0, timeZone: String? = nil, send: Bool = true, learningWeekday: Int = 1,
                predictionHorizonDays: Int = 14, usageThresholds: [Double] = [80, 90], tlsWarningDays: Int = 21) {
        self.dailyHour = dailyHour
        self.dailyMinute = dailyMinute
        self.timeZone = timeZone
        self.send = send
        self.learningWeekday = learningWeekday
        self.predictionHorizonDays = predictionHorizonDays
        self.usageThresholds = usageThresholds
        self.tlsWarningDays = tlsWarningDays
    }
}
