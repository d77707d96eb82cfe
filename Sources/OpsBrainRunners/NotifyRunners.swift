import OpsBrainCore

/// Builds the notification channels and the optional LLM client from the config's settings.
public enum NotifyRunners {
    /// One channel per configured service; secrets are read from `environment` at each send.
    public static func channels(_ settings: NotificationSettings, environment: [String: String]) -> [any NotificationChannel] {
        var channels: [any NotificationChannel] = []
        if let slack = settings.slack { channels.append(SlackWebhookChannel(settings: slack, environment: environment)) }
        if let pushover = settings.pushover { channels.append(PushoverChannel(settings: pushover, environment: environment)) }
        if let pagerduty = settings.pagerduty { channels.append(PagerDutyChannel(settings: pagerduty, environment: environment)) }
        return channels
    }

    /// The LLM client, or nil when the assist is off (the default).
    public static func languageModel(_ settings: LLMSettings, environment: [String: String]) -> (any LanguageModel)? {
        guard settings.enabled else { return nil }
        return OpenAICompatibleClient(settings: settings, apiKey: settings.apiKeyEnv.flatMap { environment[$0] })
    }
}
