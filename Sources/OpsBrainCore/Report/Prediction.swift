import Foundation

/// A problem that is not here yet: a trend reaching a threshold, or a certificate running out.
public struct Prediction: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// A usage series will reach a threshold within the horizon.
        case trendToThreshold = "trend_to_threshold"
        /// A usage series is already past a threshold.
        case overThreshold = "over_threshold"
        /// A queue keeps growing.
        case queueGrowth = "queue_growth"
        /// A TLS certificate expires within the warning window.
        case tlsExpiry = "tls_expiry"
    }

    public var kind: Kind
    /// What the prediction is about (the sample's `name` label, else the probe).
    public var subject: String
    public var current: Double
    public var threshold: Double?
    /// Seconds until the threshold or expiry, when it can be estimated.
    public var secondsUntil: Double?
    public var severity: Severity
    /// One line for people, e.g. "Database storage at 72%, reaches 80% in ~5 days".
    public var message: String

    public init(kind: Kind, subject: String, current: Double, threshold: Double?, secondsUntil: Double?, severity: Severity, message: String) {
        self.kind = kind
        self.subject = subject
        self.current = current
        self.threshold = threshold
        self.secondsUntil = secondsUntil
        self.severity = severity
        self.message = message
    }
}

/// One stored probe measurement (`opsbrain_probe_samples`).
public struct ProbeSample: Sendable, Equatable {
    public var probe: String
    public var at: Date
    public var value: Double
    public var ok: Bool
    /// Labels that say what the value is: `kind` (`usage`, `queue`, `tls_expiry`, `cost`), `unit`,
    /// `threshold`, `name`, `service`, `currency`.
    public var labels: [String: String]

    public init(probe: String, at: Date, value: Double, ok: Bool = true, labels: [String: String] = [:]) {
        self.probe = probe
        self.at = at
        self.value = value
        self.ok = ok
        self.labels = labels
    }

    /// The name shown for the series.
    public var subject: String { labels["name"] ?? labels["service"] ?? probe }
}
