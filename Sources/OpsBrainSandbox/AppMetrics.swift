import Foundation

/// The app's own counters, exposed on /metrics in the Prometheus text format under the names the
/// shipped SOPs query (`http_requests_total`, `app_cache_errors_total`, `process_*`).
final class AppMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var requestsByStatus: [Int: Int] = [:]
    private var cacheErrors = 0
    private var integrationCalls: [Int: Int] = [:]
    private let startTime = Date().timeIntervalSince1970

    func countRequest(status: Int) { locked { requestsByStatus[status, default: 0] += 1 } }
    func countCacheError() { locked { cacheErrors += 1 } }
    func countIntegrationCall(status: Int) { locked { integrationCalls[status, default: 0] += 1 } }

    /// The requests counted since the last call, by status (for the access log).
    func requestTotals() -> [Int: Int] { locked { requestsByStatus } }

    /// The exposition text.
    func exposition() -> String {
        locked {
            var lines = ["# TYPE http_requests_total counter"]
            for (status, count) in requestsByStatus.sorted(by: { $0.key < $1.key }) {
                lines.append("http_requests_total{status=\"\(status)\"} \(count)")
            }
            lines += ["# TYPE app_cache_errors_total counter", "app_cache_errors_total \(cacheErrors)",
                      "# TYPE app_integration_calls_total counter"]
            for (status, count) in integrationCalls.sorted(by: { $0.key < $1.key }) {
                lines.append("app_integration_calls_total{status=\"\(status)\"} \(count)")
            }
            lines += ["# TYPE process_start_time_seconds gauge", "process_start_time_seconds \(Int(startTime))",
                      "# TYPE process_resident_memory_bytes gauge", "process_resident_memory_bytes \(Self.residentBytes())"]
            return lines.joined(separator: "\n") + "\n"
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    /// VmRSS from /proc/self/status, in bytes.
    private static func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return kib * 1024
    }
}
