/// Reads the alert webhooks Ops Brain accepts: Alertmanager (version 4), Grafana unified
/// alerting (version 1), and the generic JSON alert documented in docs/intake.md.
///
/// Unknown fields are ignored (senders add fields over time); missing or mistyped required
/// fields are errors naming the field. A payload is accepted whole or not at all.
public enum WebhookParser {
    public static let maxAlertsPerPayload = 1000

    /// Alertmanager: `{version: "4", status, externalURL, alerts: [{status, labels, annotations, fingerprint, ...}]}`;
    /// the sender's `externalURL` stays in each alert's evidence (a silence goes back to that Alertmanager).
    public static func alertmanager(_ payload: JSONValue) throws -> [IncomingAlert] {
        let root = try object(payload, field: "")
        let version = root["version"]?.stringValue
        guard version == "4" else {
            throw PayloadError(field: "version", message: "unsupported Alertmanager payload version \(version.map { "'\($0)'" } ?? "(missing)"); expected \"4\"")
        }
        let common = try stringMap(root["commonLabels"], field: "commonLabels", required: false)
        return try alerts(root, field: "alerts").enumerated().map { index, item in
            let field = "alerts[\(index)]"
            let alert = try object(item, field: field)
            var labels = common
            labels.merge(try stringMap(alert["labels"], field: "\(field).labels", required: true)) { _, own in own }
            let annotations = try stringMap(alert["annotations"], field: "\(field).annotations", required: false)
            let state = try state(alert["status"], field: "\(field).status", firing: "firing", resolved: "resolved")
            let fingerprint = try optionalString(alert["fingerprint"], field: "\(field).fingerprint")
            return make(source: "alertmanager", labels: labels, annotations: annotations, state: state,
                        fingerprint: fingerprint, extra: ["startsAt": alert["startsAt"], "endsAt": alert["endsAt"],
                                                          "generatorURL": alert["generatorURL"], "externalURL": root["externalURL"]])
        }
    }

    /// Grafana unified alerting: like Alertmanager's, with `version` "1" and extra fields.
    public static func grafana(_ payload: JSONValue) throws -> [IncomingAlert] {
        let root = try object(payload, field: "")
        if let version = root["version"], version.stringValue != "1" {
            throw PayloadError(field: "version", message: "unsupported Grafana payload version \(version.stringValue.map { "'\($0)'" } ?? version.jsonText); expected \"1\"")
        }
        return try alerts(root, field: "alerts").enumerated().map { index, item in
            let field = "alerts[\(index)]"
            let alert = try object(item, field: field)
            let labels = try stringMap(alert["labels"], field: "\(field).labels", required: true)
            let annotations = try stringMap(alert["annotations"], field: "\(field).annotations", required: false)
            let state = try state(alert["status"], field: "\(field).status", firing: "firing", resolved: "resolved")
            let fingerprint = try optionalString(alert["fingerprint"], field: "\(field).fingerprint")
            return make(source: "grafana", labels: labels, annotations: annotations, state: state, fingerprint: fingerprint,
                        extra: ["values": alert["values"], "valueString": alert["valueString"], "dashboardURL": alert["dashboardURL"],
                                "panelURL": alert["panelURL"], "startsAt": alert["startsAt"]])
        }
    }

    /// The generic alert: `{type, title, severity?, labels?, evidence?, fingerprint?, status?}`,
    /// or `{alerts: [...]}` of those.
    public static func generic(_ payload: JSONValue) throws -> [IncomingAlert] {
        let root = try object(payload, field: "")
        let items: [(JSONValue, String)] = root["alerts"] != nil
            ? try alerts(root, field: "alerts").enumerated().map { ($0.element, "alerts[\($0.offset)]") }
            : [(payload, "")]
        return try items.map { item, prefix in
            let field = { (name: String) in prefix.isEmpty ? name : "\(prefix).\(name)" }
            let alert = try object(item, field: prefix)
            guard let type = try optionalString(alert["type"], field: field("type")), !type.isEmpty else {
                throw PayloadError(field: field("type"), message: "is required (the alert type SOPs match on)")
            }
            guard let title = try optionalString(alert["title"], field: field("title")), !title.isEmpty else {
                throw PayloadError(field: field("title"), message: "is required")
            }
            let severityText = try optionalString(alert["severity"], field: field("severity")) ?? "medium"
            guard let severity = Severity.normalized(severityText) else {
                throw PayloadError(field: field("severity"), message: "'\(severityText)' is not info, low, medium, high or critical")
            }
            let labels = try stringMap(alert["labels"], field: field("labels"), required: false)
            if let evidence = alert["evidence"], evidence.objectValue == nil {
                throw PayloadError(field: field("evidence"), message: "expected an object")
            }
            let state = try self.state(alert["status"], field: field("status"), firing: "firing", resolved: "resolved", default: .firing)
            let fingerprint = try optionalString(alert["fingerprint"], field: field("fingerprint"))
                ?? IncomingAlert.fingerprint(labels: labels.merging(["__type": type, "__title": title]) { $1 })
            return IncomingAlert(source: "webhook", alertType: type, title: title, severity: severity, labels: labels,
                                 evidence: alert["evidence"] ?? .object([:]), fingerprint: fingerprint, state: state)
        }
    }

    // MARK: Shared reading

    private static func make(source: String, labels: [String: String], annotations: [String: String], state: IncomingAlert.State,
                             fingerprint: String?, extra: [String: JSONValue?]) -> IncomingAlert {
        let type = labels["alertname"] ?? "unnamed_alert"
        let title = annotations["summary"] ?? annotations["title"] ?? annotations["description"] ?? type
        var evidence: [String: JSONValue] = ["annotations": .object(annotations.mapValues(JSONValue.string))]
        for (key, value) in extra { if let value { evidence[key] = value } }
        return IncomingAlert(source: source, alertType: type, title: title,
                             severity: labels["severity"].flatMap(Severity.normalized) ?? .medium, labels: labels,
                             evidence: .object(evidence), fingerprint: fingerprint ?? IncomingAlert.fingerprint(labels: labels),
                             state: state)
    }

    private static func object(_ value: JSONValue?, field: String) throws -> [String: JSONValue] {
        guard let fields = value?.objectValue else {
            throw PayloadError(field: field, message: field.isEmpty ? "the body must be a JSON object" : "expected an object")
        }
        return fields
    }

    private static func alerts(_ root: [String: JSONValue], field: String) throws -> [JSONValue] {
        guard let items = root[field]?.arrayValue else { throw PayloadError(field: field, message: "expected a list of alerts") }
        guard items.count <= maxAlertsPerPayload else {
            throw PayloadError(field: field, message: "\(items.count) alerts in one payload; at most \(maxAlertsPerPayload)")
        }
        return items
    }

    private static func stringMap(_ value: JSONValue?, field: String, required: Bool) throws -> [String: String] {
        guard let value, value != .null else {
            if required { throw PayloadError(field: field, message: "is required") }
            return [:]
        }
        guard let fields = value.objectValue else { throw PayloadError(field: field, message: "expected an object of strings") }
        var result: [String: String] = [:]
        for (key, item) in fields {
            guard let text = item.stringValue else { throw PayloadError(field: "\(field).\(key)", message: "expected a string") }
            result[key] = text
        }
        return result
    }

    private static func optionalString(_ value: JSONValue?, field: String) throws -> String? {
        guard let value, value != .null else { return nil }
        guard let text = value.stringValue else { throw PayloadError(field: field, message: "expected a string") }
        return text
    }

    private static func state(_ value: JSONValue?, field: String, firing: String, resolved: String,
                              default fallback: IncomingAlert.State? = nil) throws -> IncomingAlert.State {
        guard let text = try optionalString(value, field: field) else {
            if let fallback { return fallback }
            throw PayloadError(field: field, message: "is required (firing or resolved)")
        }
        switch text {
        case firing: return .firing
        case resolved: return .resolved
        default: throw PayloadError(field: field, message: "'\(text)' is not \(firing) or \(resolved)")
        }
    }
}
