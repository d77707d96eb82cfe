import Foundation

/// How one attempt to deliver a notification ended, by the service's own rules.
public struct DeliveryOutcome: Sendable, Equatable {
    /// What to do next.
    public enum Verdict: Sendable, Equatable {
        case delivered
        /// Try again; `after` is the service's own wait (Retry-After), when it gave one.
        case retry(after: Duration?)
        /// Never try again (the request itself is wrong, or the service said so).
        case failed
    }

    public var verdict: Verdict
    /// The HTTP status, when a response arrived.
    public var httpStatus: Int?
    /// What the service said, or the transport error (never a secret).
    public var detail: String

    public init(verdict: Verdict, httpStatus: Int?, detail: String) {
        self.verdict = verdict
        self.httpStatus = httpStatus
        self.detail = detail
    }

    /// A transport failure (timeout, refused, DNS): always worth another try.
    public static func transportError(_ detail: String, minimumWait: Duration? = nil) -> DeliveryOutcome {
        DeliveryOutcome(verdict: .retry(after: minimumWait), httpStatus: nil, detail: detail)
    }
}

/// Each service's rules for reading an answer: what counts as delivered, what is retried.
public enum ServiceResponseRules {
    /// Slack incoming webhooks: 200 `ok`; 429 with Retry-After; 5xx retried; other errors
    /// (`invalid_payload`, `channel_not_found`, ...) are the request's fault and never retried.
    public static func slack(status: Int, body: String, retryAfter: String?) -> DeliveryOutcome {
        let text = clip(body)
        switch status {
        case 200..<300: return DeliveryOutcome(verdict: .delivered, httpStatus: status, detail: text.isEmpty ? "ok" : text)
        case 429: return DeliveryOutcome(verdict: .retry(after: seconds(retryAfter) ?? .seconds(1)), httpStatus: status,
                                         detail: "rate limited" + (text.isEmpty ? "" : ": \(text)"))
        case 500...599: return DeliveryOutcome(verdict: .retry(after: nil), httpStatus: status, detail: text.isEmpty ? "server error" : text)
        default: return DeliveryOutcome(verdict: .failed, httpStatus: status, detail: text.isEmpty ? "HTTP \(status)" : text)
        }
    }

    /// Pushover: 200 with `"status":1`; any 4xx (including 429, the monthly limit) or `status≠1`
    /// is never retried; 5xx and transport errors are retried no sooner than 5 s.
    public static func pushover(status: Int, body: String) -> DeliveryOutcome {
        let parsed = try? JSONValue(parsing: body)
        let errors = parsed?["errors"]?.arrayValue?.compactMap(\.stringValue).joined(separator: "; ")
        switch status {
        case 200..<300:
            guard parsed?["status"]?.doubleValue == 1 else {
                return DeliveryOutcome(verdict: .failed, httpStatus: status, detail: errors.map { "refused: \($0)" } ?? "status is not 1: \(clip(body))")
            }
            return DeliveryOutcome(verdict: .delivered, httpStatus: status, detail: parsed?["request"]?.stringValue.map { "request \($0)" } ?? "ok")
        case 400..<500:
            return DeliveryOutcome(verdict: .failed, httpStatus: status, detail: errors.flatMap { $0.isEmpty ? nil : $0 } ?? "HTTP \(status): \(clip(body))")
        default:
            return DeliveryOutcome(verdict: .retry(after: pushoverMinimumWait), httpStatus: status, detail: "HTTP \(status)")
        }
    }

    /// Pushover asks clients to wait at least this long before retrying after a 5xx.
    public static let pushoverMinimumWait: Duration = .seconds(5)

    /// PagerDuty Events v2: 202 accepted; 400 (invalid event) never retried; 429 and 5xx retried
    /// with backoff (Retry-After when given); other 4xx (bad routing key) never retried.
    public static func pagerDuty(status: Int, body: String, retryAfter: String?) -> DeliveryOutcome {
        let parsed = try? JSONValue(parsing: body)
        let message = [parsed?["message"]?.stringValue, parsed?["errors"]?.arrayValue?.compactMap(\.stringValue).joined(separator: "; ")]
            .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
        let detail = message.isEmpty ? clip(body) : message
        switch status {
        case 200..<300: return DeliveryOutcome(verdict: .delivered, httpStatus: status, detail: detail.isEmpty ? "accepted" : detail)
        case 429: return DeliveryOutcome(verdict: .retry(after: seconds(retryAfter)), httpStatus: status, detail: "rate limited")
        case 500...599: return DeliveryOutcome(verdict: .retry(after: nil), httpStatus: status, detail: detail.isEmpty ? "server error" : detail)
        default: return DeliveryOutcome(verdict: .failed, httpStatus: status, detail: detail.isEmpty ? "HTTP \(status)" : detail)
        }
    }

    /// Reads a Retry-After header in seconds (HTTP dates are not used by these services).
    public static func seconds(_ header: String?) -> Duration? {
        guard let text = header?.trimmingCharacters(in: .whitespaces), let value = Double(text), value >= 0, value.isFinite else { return nil }
        return .milliseconds(Int64((min(value, 86_400) * 1000).rounded()))
    }

    private static func clip(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.count > 300 ? String(trimmed.prefix(300)) + "…" : trimmed
    }
}

/// Capped exponential backoff with jitter, for deliveries and API calls.
public struct Backoff: Sendable, Equatable {
    public var base: Duration
    public var cap: Duration

    public init(base: Duration, cap: Duration) {
        self.base = base
        self.cap = cap
    }

    /// The wait before retry number `attempt` (1-based): base·2^(attempt−1), capped, scaled by
    /// `jitter` in [0, 1) to between 75% and 100% of that; never below `floor`.
    public func delay(attempt: Int, jitter: Double, floor: Duration? = nil) -> Duration {
        let exponent = Double(max(0, min(attempt - 1, 30)))
        let raw = min(base.asSeconds * pow2(exponent), cap.asSeconds)
        let scaled = raw * (0.75 + 0.25 * min(max(jitter, 0), 1))
        let wait = Duration.milliseconds(Int64((scaled * 1000).rounded()))
        if let floor, wait < floor { return floor }
        return wait
    }

    private func pow2(_ exponent: Double) -> Double {
        var value = 1.0
        for _ in 0..<Int(exponent) { value *= 2 }
        return value
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    public var asSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
