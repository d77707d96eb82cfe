import OpsBrainCore

/// Pushover messages: priority by severity, emergency (2) with retry/expire; 4xx never retried,
/// 5xx retried no sooner than 5 s.
public struct PushoverChannel: NotificationChannel {
    public var kind: NotificationChannelKind { .pushover }
    let settings: NotificationSettings.Pushover
    let environment: [String: String]
    let http: NotifyHTTP

    /// A channel reading the app token and user key from `environment` at each send.
    public init(settings: NotificationSettings.Pushover, environment: [String: String], client: HTTPClient = HTTPClient()) {
        self.settings = settings
        self.environment = environment
        self.http = NotifyHTTP(client: client)
    }

    public func deliver(_ event: NotificationEvent, plan: PlannedDelivery) -> DeliveryOutcome {
        guard let token = environment[settings.tokenEnv], !token.isEmpty, let user = environment[settings.userEnv], !user.isEmpty else {
            return DeliveryOutcome(verdict: .failed, httpStatus: nil,
                                   detail: "Pushover: \(settings.tokenEnv) and \(settings.userEnv) must both be set")
        }
        let request = NotifyHTTP.formRequest(url: settings.url, fields: fields(event, plan: plan, token: token, user: user),
                                             timeout: settings.timeout)
        switch http.send(request, label: "Pushover", secrets: [token, user]) {
        case .failure(let error): return .transportError(error.detail, minimumWait: ServiceResponseRules.pushoverMinimumWait)
        case .success(let response):
            return ServiceResponseRules.pushover(status: response.status, body: response.bodyText(limit: 4000))
        }
    }

    /// The form fields: token, user, title (≤ 250), message (≤ 1024), priority, and for
    /// emergencies retry (≥ 30 s) and expire (≤ 10800 s).
    func fields(_ event: NotificationEvent, plan: PlannedDelivery, token: String, user: String) -> [(String, String)] {
        let priority = max(-2, min(2, plan.priority ?? NotificationRouting.priority(for: event.severity)))
        var lines = [event.summary]
        if let action = event.actionNeeded { lines.append("Action: \(action)") }
        let reference = [event.sopName.map { "SOP \($0)" }, event.executionID.map { "execution \($0.uuidString.lowercased().prefix(8))" }]
            .compactMap { $0 }.joined(separator: " · ")
        if !reference.isEmpty { lines.append(reference) }
        var fields = [("token", token), ("user", user),
                      ("title", NotifyHTTP.cut("\(event.kind.label): \(event.title)", 250)),
                      ("message", NotifyHTTP.cut(lines.joined(separator: "\n"), 1024)),
                      ("priority", String(priority)),
                      ("timestamp", String(Int(event.occurredAt.timeIntervalSince1970)))]
        if priority == 2 {
            fields.append(("retry", String(max(30, settings.emergencyRetrySeconds))))
            fields.append(("expire", String(min(10_800, settings.emergencyExpireSeconds))))
        }
        return fields
    }
}
