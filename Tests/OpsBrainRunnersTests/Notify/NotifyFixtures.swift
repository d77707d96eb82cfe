import Foundation
import OpsBrainCore

/// Events and secrets for the notification channel tests.
enum NotifyFixtures {
    static let executionID = UUID(uuidString: "1b4e28ba-2fa1-11d2-883f-0016d3cca427")!
    static let webhookSecret = "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"

    static func event(_ kind: NotificationEvent.Kind = .escalation, severity: Severity = .critical, summary: String = "Fix did not work after 2 attempts")
        -> NotificationEvent {
        NotificationEvent(kind: kind, executionID: executionID, sopName: "database-connection-dropped", severity: severity,
                          title: "Database connection dropped", summary: summary, actionNeeded: "Check the database host",
                          facts: [.init("Confidence", "62/100")], occurredAt: Date(timeIntervalSince1970: 1_795_759_200))
    }

    /// The body of a form-encoded request as a dictionary.
    static func form(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            fields[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return fields
    }
}
