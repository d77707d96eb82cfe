import Foundation

/// Predicted issues from stored probe samples: usage trends to thresholds, growing queues, TLS expiry.
///
/// A series is what one probe measured (grouped by probe name); its labels say what it is:
/// `kind: usage` (or `unit: percent`, or a `threshold` label) → extrapolated to the thresholds;
/// `kind: queue` → to its `threshold`, else reported when it keeps growing; `kind: tls_expiry` →
/// the value is days left. Series with too few points (3) or too short a span (30 min) give no trend.
public struct Predictor: Sendable {
    public var horizonSeconds: Double
    public var usageThresholds: [Double]
    public var tlsWarningDays: Double

    public init(settings: ReportSettings) {
        horizonSeconds = Double(settings.predictionHorizonDays) * 86_400
        usageThresholds = settings.usageThresholds.sorted()
        tlsWarningDays = Double(settings.tlsWarningDays)
    }

    /// Every prediction for the series in `samples`, soonest first.
    public func predict(_ samples: [ProbeSample]) -> [Prediction] {
        let series = Dictionary(grouping: samples, by: \.probe).values.map { $0.sorted { $0.at < $1.at } }
        return series.compactMap(predict(series:)).sorted {
            ($0.secondsUntil ?? .infinity, $0.subject) < ($1.secondsUntil ?? .infinity, $1.subject)
        }
    }

    private func predict(series: [ProbeSample]) -> Prediction? {
        guard let latest = series.last else { return nil }
        switch latest.labels["kind"] {
        case "tls_expiry": return tlsExpiry(latest)
        case "cost": return nil
        case "queue":
            if let thresholds = Self.thresholds(latest.labels["threshold"]) { return usage(series, thresholds: thresholds) }
            return queueGrowth(series)
        default:
            if let thresholds = Self.thresholds(latest.labels["threshold"]) { return usage(series, thresholds: thresholds) }
            guard latest.labels["kind"] == "usage" || latest.labels["unit"] == "percent" else { return nil }
            return usage(series, thresholds: usageThresholds)
        }
    }

    private func tlsExpiry(_ latest: ProbeSample) -> Prediction? {
        let days = latest.value
        guard days <= tlsWarningDays else { return nil }
        let severity: Severity = days <= 3 ? .critical : days <= 7 ? .high : days <= 14 ? .medium : .low
        let when = days < 0 ? "expired \(Int((-days).rounded())) days ago" : "expires in \(Int(days.rounded(.down))) days"
        return Prediction(kind: .tlsExpiry, subject: latest.subject, current: days, threshold: tlsWarningDays,
                          secondsUntil: max(0, days * 86_400), severity: severity,
                          message: "TLS certificate \(latest.subject) \(when)")
    }

    private func usage(_ series: [ProbeSample], thresholds: [Double]) -> Prediction? {
        guard let latest = series.last else { return nil }
        let unit = latest.labels["unit"] == "percent" || latest.labels["kind"] == "usage" ? "%" : ""
        let now = Self.format(latest.value, unit)
        let slope = Trend(series)?.slopePerSecond ?? 0
        let crossed = thresholds.filter { latest.value >= $0 }
        let next = thresholds.first { latest.value < $0 }
        let eta = next.flatMap { slope > 0 ? ($0 - latest.value) / slope : nil }
        var nextText: String?
        if let next, let eta, eta <= horizonSeconds {
            nextText = "reaches \(Self.format(next, unit)) in \(Self.approximate(eta))"
        }
        if let over = crossed.last {
            let severity: Severity = over >= (thresholds.last ?? over) ? .high : .medium
            return Prediction(kind: .overThreshold, subject: latest.subject, current: latest.value, threshold: over,
                              secondsUntil: 0, severity: severity,
                              message: "\(latest.subject) at \(now), over \(Self.format(over, unit))" + (nextText.map { "; \($0)" } ?? ""))
        }
        guard let threshold = next, let eta, eta <= horizonSeconds, let nextText else { return nil }
        let severity: Severity = eta <= 86_400 ? .high : eta <= 3 * 86_400 ? .medium : .low
        return Prediction(kind: .trendToThreshold, subject: latest.subject, current: latest.value, threshold: threshold,
                          secondsUntil: eta, severity: severity, message: "\(latest.subject) at \(now), \(nextText) at the current rate")
    }

    private func queueGrowth(_ series: [ProbeSample]) -> Prediction? {
        guard let first = series.first, let latest = series.last, let trend = Trend(series),
              trend.slopePerSecond > 0, trend.rSquared >= 0.6,
              latest.value >= max(first.value * 1.5, first.value + 10) else { return nil }
        let perHour = trend.slopePerSecond * 3600
        return Prediction(kind: .queueGrowth, subject: latest.subject, current: latest.value, threshold: nil, secondsUntil: nil,
                          severity: .medium,
                          message: "\(latest.subject) keeps growing: \(Self.format(latest.value, "")) now, about +\(Self.format(perHour, ""))/h")
    }

    /// `"80"`, `"80,90"` → thresholds; nil when absent or unreadable.
    static func thresholds(_ text: String?) -> [Double]? {
        guard let text else { return nil }
        let values = text.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        return values.isEmpty ? nil : values.sorted()
    }

    /// "72%", "1,234", "0.5".
    static func format(_ value: Double, _ unit: String) -> String {
        let text = abs(value) >= 10 || value == value.rounded() ? String(Int(value.rounded())) : String(format: "%.1f", value)
        return text + unit
    }

    /// "~5 days", "~7 hours", "~40 minutes".
    public static func approximate(_ seconds: Double) -> String {
        if seconds >= 2 * 86_400 { return "~\(Int((seconds / 86_400).rounded())) days" }
        if seconds >= 2 * 3600 { return "~\(Int((seconds / 3600).rounded())) hours" }
        return "~\(max(1, Int((seconds / 60).rounded()))) minutes"
    }
}

/// A least-squares line through a series.
struct Trend {
    let slopePerSecond: Double
    /// How well the line fits, 0...1.
    let rSquared: Double

    /// Nil for fewer than 3 points or a span under 30 minutes.
    init?(_ series: [ProbeSample]) {
        guard series.count >= 3, let first = series.first, let last = series.last,
              last.at.timeIntervalSince(first.at) >= 1800 else { return nil }
        let xs = series.map { $0.at.timeIntervalSince(first.at) }
        let ys = series.map(\.value)
        let count = Double(series.count)
        let meanX = xs.reduce(0, +) / count
        let meanY = ys.reduce(0, +) / count
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (x, y) in zip(xs, ys) {
            sxy += (x - meanX) * (y - meanY)
            sxx += (x - meanX) * (x - meanX)
            syy += (y - meanY) * (y - meanY)
        }
        guard sxx > 0 else { return nil }
        slopePerSecond = sxy / sxx
        rSquared = syy > 0 ? (sxy * sxy) / (sxx * syy) : 1
    }
}
