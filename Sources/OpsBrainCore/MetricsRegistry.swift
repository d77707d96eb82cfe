import Foundation
import Synchronization

/// Counters, gauges and histograms rendered in the Prometheus text format (0.0.4).
///
/// Thread-safe; shared by the intake server and the engine in one process.
public final class MetricsRegistry: Sendable {
    private struct Key: Hashable {
        var name: String
        var labels: [String: String]
    }

    private struct Histogram {
        var buckets: [Double]
        var counts: [Int]
        var sum = 0.0
        var count = 0
    }

    /// Every series, behind one lock.
    private struct Series {
        var help: [String: (type: String, text: String)] = [:]
        var values: [Key: Double] = [:]
        var histograms: [Key: Histogram] = [:]
    }

    private let series = Mutex(Series())

    public init() {}

    /// Adds `amount` to a counter (name should end in `_total`).
    public func increment(_ name: String, labels: [String: String] = [:], by amount: Double = 1, help text: String) {
        series.withLock {
            $0.help[name] = ("counter", text)
            $0.values[Key(name: name, labels: labels), default: 0] += amount
        }
    }

    /// Sets a gauge.
    public func set(_ name: String, labels: [String: String] = [:], to value: Double, help text: String) {
        series.withLock {
            $0.help[name] = ("gauge", text)
            $0.values[Key(name: name, labels: labels)] = value
        }
    }

    /// Records one observation in a histogram with the given upper bounds (seconds).
    public func observe(_ name: String, _ value: Double, buckets: [Double], help text: String) {
        series.withLock { current in
            current.help[name] = ("histogram", text)
            let key = Key(name: name, labels: [:])
            var histogram = current.histograms[key] ?? Histogram(buckets: buckets, counts: Array(repeating: 0, count: buckets.count))
            for (index, bound) in histogram.buckets.enumerated() where value <= bound { histogram.counts[index] += 1 }
            histogram.sum += value
            histogram.count += 1
            current.histograms[key] = histogram
        }
    }

    /// The exposition text.
    public func render() -> String {
        let (help, values, histograms) = series.withLock { ($0.help, $0.values, $0.histograms) }
        var lines: [String] = []
        for name in Set(values.keys.map(\.name)).union(histograms.keys.map(\.name)).sorted() {
            if let info = help[name] { lines += ["# HELP \(name) \(info.text)", "# TYPE \(name) \(info.type)"] }
            for (key, value) in values where key.name == name {
                lines.append("\(name)\(Self.labelText(key.labels)) \(Self.number(value))")
            }
            for (key, histogram) in histograms where key.name == name {
                for (index, bound) in histogram.buckets.enumerated() {
                    lines.append("\(name)_bucket{le=\"\(Self.number(bound))\"} \(histogram.counts[index])")
                }
                lines += ["\(name)_bucket{le=\"+Inf\"} \(histogram.count)", "\(name)_sum \(Self.number(histogram.sum))",
                          "\(name)_count \(histogram.count)"]
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func labelText(_ labels: [String: String]) -> String {
        guard !labels.isEmpty else { return "" }
        let escaped = labels.keys.sorted().map { key in
            let value = labels[key]!.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
            return "\(key)=\"\(value)\""
        }
        return "{" + escaped.joined(separator: ",") + "}"
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
