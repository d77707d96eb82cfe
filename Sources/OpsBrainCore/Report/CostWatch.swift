import Foundation

/// The cost lines of the daily report, from cost probes (`kind: cost` samples).
///
/// Each series' latest value is the spend its probe measured (per day, usually); it is called a
/// spike when it is more than 1.5× the median of the values measured at least 20 hours earlier.
public enum CostWatch {
    /// One line per cost series, by name.
    public static func lines(_ samples: [ProbeSample]) -> [DailyReport.Cost] {
        let series = Dictionary(grouping: samples.filter { $0.labels["kind"] == "cost" }, by: \.probe)
        return series.values.compactMap { line($0.sorted { $0.at < $1.at }) }.sorted { $0.name < $1.name }
    }

    private static func line(_ series: [ProbeSample]) -> DailyReport.Cost? {
        guard let latest = series.last else { return nil }
        let earlier = series.filter { latest.at.timeIntervalSince($0.at) >= 20 * 3600 }.map(\.value).sorted()
        let currency = latest.labels["currency"] ?? "USD"
        guard !earlier.isEmpty else {
            return DailyReport.Cost(name: latest.subject, amount: latest.value, currency: currency, note: "no history yet")
        }
        let usual = earlier.count % 2 == 1 ? earlier[earlier.count / 2]
            : (earlier[earlier.count / 2 - 1] + earlier[earlier.count / 2]) / 2
        if latest.value > usual * 1.5, latest.value - usual >= 1 {
            let ratio = usual > 0 ? String(format: "%.1f× usual", latest.value / usual) : "usually 0"
            return DailyReport.Cost(name: latest.subject, amount: latest.value, currency: currency, note: "spike: \(ratio)")
        }
        return DailyReport.Cost(name: latest.subject, amount: latest.value, currency: currency, note: "normal")
    }
}
