import Foundation
import OpsBrainCore
import OpsBrainIntake

/// Slack, Pushover and PagerDuty for the sandbox: one local HTTP service that answers each
/// service's real endpoint shape (and its validation errors) and writes every accepted message
/// to `logs/notifications.log`, so the demo shows what the on-call engineer would receive.
public final class NotificationInbox: @unchecked Sendable {
    let layout: SandboxLayout
    private let lock = NSLock()
    private var server: HTTPServer?

    public init(layout: SandboxLayout) { self.layout = layout }

    /// The environment the engine needs to deliver here (the webhook URL and the dummy credentials).
    public var environment: [String: String] {
        ["SLACK_WEBHOOK_URL": "http://127.0.0.1:\(layout.inboxPort)/slack/services/T0SANDBOX/B0SANDBOX/sandbox",
         "PUSHOVER_TOKEN": "asandboxapplicationtoken000000", "PUSHOVER_USER": "usandboxuserkey00000000000000",
         "PAGERDUTY_ROUTING_KEY": "sandboxroutingkey00000000000000"]
    }

    public var logFile: String { layout.serviceLogDirectory + "/notifications.log" }

    /// Starts serving; it runs for as long as the process does.
    public func start() throws {
        let server = HTTPServer(host: "127.0.0.1", port: layout.inboxPort) { [self] in handle($0) }
        try server.start()
        self.server = server
    }

    func handle(_ request: HTTPServerRequest) -> HTTPServerResponse {
        guard request.method == "POST" else { return .error(405, "POST only") }
        let body = String(decoding: request.body, as: UTF8.self)
        if request.path.hasPrefix("/slack/services/") { return slack(body) }
        if request.path == "/pushover/1/messages.json" { return pushover(body) }
        if request.path == "/pagerduty/v2/enqueue" { return pagerDuty(body) }
        return .error(404, "no such endpoint")
    }

    /// Slack incoming webhooks answer the text `ok`, or `invalid_payload` / `no_text` with 400.
    private func slack(_ body: String) -> HTTPServerResponse {
        guard let json = try? JSONValue(parsing: body) else { return .text(400, "invalid_payload") }
        guard let text = json["text"]?.stringValue, !text.isEmpty else { return .text(400, "no_text") }
        record("slack", text)
        return .text(200, "ok")
    }

    /// Pushover answers `{"status":1,"request":...}`, or status 0 with `errors` and HTTP 400.
    private func pushover(_ body: String) -> HTTPServerResponse {
        let fields = SandboxApp.formFields(body)
        let missing = ["token", "user", "message"].filter { (fields[$0] ?? "").isEmpty }
        guard missing.isEmpty else {
            return .json(400, .object(["status": .number(0), "request": .string(UUID().uuidString),
                                       "errors": .array(missing.map { .string("\($0) is missing") })]))
        }
        record("pushover", "[priority \(fields["priority"] ?? "0")] \(fields["title"] ?? ""): \(fields["message"] ?? "")")
        return .json(200, .object(["status": .number(1), "request": .string(UUID().uuidString)]))
    }

    /// PagerDuty Events v2 answers 202 with a dedup_key, or 400 `invalid event` with errors.
    private func pagerDuty(_ body: String) -> HTTPServerResponse {
        guard let json = try? JSONValue(parsing: body), json["routing_key"]?.stringValue != nil,
              let action = json["event_action"]?.stringValue, ["trigger", "acknowledge", "resolve"].contains(action) else {
            return .json(400, .object(["status": .string("invalid event"), "message": .string("Event object is invalid"),
                                       "errors": .array([.string("routing_key and event_action (trigger|acknowledge|resolve) are required")])]))
        }
        let key = json["dedup_key"]?.stringValue ?? UUID().uuidString
        record("pagerduty", "\(action) \(key): \(json["payload"]?["summary"]?.stringValue ?? "")")
        return .json(202, .object(["status": .string("success"), "message": .string("Event processed"), "dedup_key": .string(key)]))
    }

    private func record(_ channel: String, _ text: String) {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        lock.lock()
        defer { lock.unlock() }
        TextLog.append("\(formatter.string(from: Date())) \(channel): \(text.replacingOccurrences(of: "\n", with: " | "))", to: logFile)
    }
}
