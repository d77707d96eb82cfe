import OpsBrainCore

/// PagerDuty Events API v2: trigger and resolve with one dedup key per execution; 202 accepted,
/// 400 never retried, 429 and 5xx retried with backoff.
public struct PagerDutyChannel: NotificationChannel {
    public var kind: NotificationChannelKind { .pagerduty }
    let settings: NotificationSettings.PagerDuty
    let environment: [String: String]
    let http: NotifyHTTP

    /// A channel reading the integration's routing key from `environment` at each send.
    public init(settings: NotificationSettings.PagerDuty, environment: [String: String], client: HTTPClient = HTTPClient()) {
        self.settings = settings
        self.environment = environment
        self.http = NotifyHTTP(client: client)
    }

    public func deliver(_ event: NotificationEvent, plan: PlannedDelivery) -> DeliveryOutcome {
        guard let key = environment[settings.routingKeyEnv], !key.isEmpty else {
            return DeliveryOutcome(verdict: .failed, httpStatus: nil, detail: "PagerDuty: \(settings.routingKeyEnv) is not set")
        }
        let request = NotifyHTTP.jsonRequest(url: settings.url, body: body(event, action: plan.action, routingKey: key),
                                             timeout: settings.timeout)
        switch http.send(request, label: "PagerDuty", secrets: [key]) {
        case .failure(let error): return .transportError(error.detail)
        case .success(let response):
            return ServiceResponseRules.pagerDuty(status: response.status, body: response.bodyText(limit: 4000),
                                                  retryAfter: response.headers["retry-after"])
        }
    }

    /// The event: `resolve` needs only the key and dedup key; `trigger` carries the payload.
    func body(_ event: NotificationEvent, action: DeliveryAction, routingKey: String) -> JSONValue {
        var fields: [String: JSONValue] = ["routing_key": .string(routingKey), "dedup_key": .string(String(event.incidentKey.prefix(255))),
                                           "event_action": .string(action == .resolve ? "resolve" : "trigger")]
        guard action != .resolve else { return .object(fields) }
        var details: [String: JSONValue] = ["summary": .string(event.summary), "kind": .string(event.kind.rawValue)]
        if let action = event.actionNeeded { details["action_needed"] = .string(action) }
        if let id = event.executionID { details["execution_id"] = .string(id.uuidString.lowercased()) }
        for fact in event.facts { details[fact.name] = .string(fact.value) }
        var payload: [String: JSONValue] = [
            "summary": .string(NotifyHTTP.cut("\(event.kind.label): \(event.title)", 1024)),
            "source": .string(settings.source),
            "severity": .string(NotificationRouting.pagerDutySeverity(event.severity)),
            "class": .string(event.kind.rawValue),
            "custom_details": .object(details),
        ]
        if let sop = event.sopName { payload["component"] = .string(sop) }
        fields["payload"] = .object(payload)
        fields["client"] = .string("Ops Brain")
        return .object(fields)
    }
}
