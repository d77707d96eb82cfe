import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainDocuments

/// Matching time per alert from 50 to 2,000 SOPs, against a naive scan of every trigger.
enum MatchingBench {
    static let sizes = [50, 100, 250, 500, 1000, 2000]

    static func run(report: BenchReport, catalogue: [SOPDefinition]) {
        var figures: [BenchFigure] = []
        var growth: [(size: Int, indexed: Double, naive: Double)] = []
        for (size, workload) in sizes.map({ ($0, Workload.typical) }) + [(50, .wordy), (1000, .wordy)] {
            let (perAlert, baseline, matched, count) = measure(scaled(catalogue, to: size), workload: workload)
            if workload == .typical { growth.append((size, perAlert, baseline)) }
            guard size == 50 || size == 1000 else { continue }
            figures.append(BenchFigure(name: "match one \(workload.rawValue) alert, \(size) SOPs (\(matched)/\(count) matched)",
                                       value: "\(Measure.format(perAlert, 2)) µs", baseline: "\(Measure.format(baseline, 2)) µs naive scan",
                                       ratio: Measure.format(perAlert / baseline, 2),
                                       target: size == 1000 && workload == .typical ? "≤ 20 µs" : "-",
                                       met: size == 1000 && workload == .typical ? perAlert <= 20 : nil))
        }
        report.add("Matching", note: "Per alert, trigger rules plus text similarity, over SOPs made from the shipped catalogue "
                   + "(renamed copies beyond 52). Typical alerts are short titles such as monitoring tools send ('Disk usage "
                   + "high on host-3'); wordy alerts carry a whole SOP description as the title, so many title patterns "
                   + "have to be run. A third carry an alert type no SOP lists (they may still match by title). Baseline: a naive scan that tests every SOP's "
                   + "types and title patterns.", figures)
        let first = growth[0]
        report.add("Matching growth", note: "Typical alerts by catalogue size: the time per alert and how many times the time at "
                   + "\(first.size) SOPs it is, for the matcher and for the naive scan measured alongside.", growth.map { row in
            BenchFigure(name: "\(row.size) SOPs", value: "\(Measure.format(row.indexed, 2)) µs (×\(Measure.format(row.indexed / first.indexed, 2)))",
                        baseline: "\(Measure.format(row.naive, 2)) µs naive (×\(Measure.format(row.naive / first.naive, 2)))",
                        ratio: Measure.format(row.indexed / row.naive, 2), target: "-", met: nil)
        })
    }

    /// Microseconds per alert for the matcher and the naive scan, and how many of the alerts matched.
    private static func measure(_ sops: [SOPDefinition], workload: Workload) -> (Double, Double, Int, Int) {
        let alerts = makeAlerts(for: sops, count: 2000, workload: workload)
        let matcher = Matcher(sops: sops)
        let naive = NaiveMatcher(sops: sops)
        _ = alerts.prefix(50).map { matcher.bestMatch(for: $0) }
        var matched = 0
        let indexed = Measure.nanoseconds { for alert in alerts where matcher.bestMatch(for: alert) != nil { matched += 1 } }
        let scanned = Measure.nanoseconds { for alert in alerts { _ = naive.firstMatch(alert) } }
        return (indexed / Double(alerts.count) / 1000, scanned / Double(alerts.count) / 1000, matched, alerts.count)
    }

    /// `size` SOPs: the catalogue, then renamed copies with their own alert types and title words.
    static func scaled(_ catalogue: [SOPDefinition], to size: Int) -> [SOPDefinition] {
        (0..<size).map { index in
            var sop = catalogue[index % catalogue.count]
            let copy = index / catalogue.count
            guard copy > 0 else { return sop }
            sop.name += "-copy\(copy)"
            sop.trigger.alertTypes = sop.trigger.alertTypes.map { "\($0)_\(copy)" }
            sop.trigger.titlePatterns = sop.trigger.titlePatterns.map { "(?i)fleet\(copy) " + $0.replacingOccurrences(of: "(?i)", with: "") }
            return sop
        }
    }

    enum Workload: String { case typical, wordy }

    static func makeAlerts(for sops: [SOPDefinition], count: Int, workload: Workload) -> [AlertSnapshot] {
        (0..<count).map { index in
            let sop = sops[(index * 7919) % sops.count]
            let known = sop.trigger.alertTypes.first ?? "none"
            let type = index % 3 == 0 ? "unmatched_\(index)" : known
            let title = workload == .wordy ? String(sop.description.prefix(60))
                : known.split(separator: "_").map { $0.capitalized }.joined(separator: " ")
            return AlertSnapshot(alertType: type, title: "\(title) on host-\(index % 17)", severity: .critical,
                                 labels: ["host": "host-\(index % 17)"])
        }
    }
}

/// The baseline: tests every SOP's alert types and every title pattern, in order.
struct NaiveMatcher {
    let entries: [(SOPDefinition, [NSRegularExpression])]

    init(sops: [SOPDefinition]) {
        entries = sops.map { ($0, $0.trigger.titlePatterns.compactMap { try? NSRegularExpression(pattern: $0) }) }
    }

    func firstMatch(_ alert: AlertSnapshot) -> String? {
        let range = NSRange(alert.title.startIndex..., in: alert.title)
        return entries.first { sop, patterns in
            sop.trigger.alertTypes.contains(alert.alertType)
                || patterns.contains { $0.firstMatch(in: alert.title, range: range) != nil }
        }?.0.name
    }
}
