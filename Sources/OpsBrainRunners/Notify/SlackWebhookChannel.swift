import OpsBrainCore

/// Slack incoming webhooks with Block Kit: 200 `ok`, 429 with Retry-After, plain-text errors.
public struct SlackWebhookChannel: NotificationChannel {
    public var kind: NotificationChannelKind { .slack }
    let settings: NotificationSettings.Slack
    let environment: [String: String]
    let http: NotifyHTTP

    /// A channel reading webhook URLs from `environment` at each send.
    public init(settings: NotificationSettings.Slack, environment: [String: String], client: HTTPClient = HTTPClient()) {
        self.settings = settings
        self.environment = environment
        self.http = NotifyHTTP(client: client)
    }

    public func deliver(_ event: NotificationEvent, plan: PlannedDelivery) -> DeliveryOutcome {
        let channelEnv = plan.destination.flatMap { settings.channelWebhookEnvs[$0] }
        let variable = channelEnv ?? settings.webhookURLEnv
        guard let url = environment[variable], !url.isEmpty else {
            return DeliveryOutcome(verdict: .failed, httpStatus: nil, detail: "Slack webhook: \(variable) is not set")
        }
        // A channel's own webhook already posts there; the shared one is asked by name.
        let payload = SlackMessageRenderer.payload(for: event, channel: channelEnv == nil ? plan.destination : nil)
        let request = NotifyHTTP.jsonRequest(url: url, body: payload, timeout: settings.timeout)
        switch http.send(request, label: "Slack webhook", secrets: [url]) {
        case .failure(let error): return .transportError(error.detail)
        case .success(let response):
            return ServiceResponseRules.slack(status: response.status, body: response.bodyText(limit: 2000),
                                              retryAfter: response.headers["retry-after"])
        }
    }
}
