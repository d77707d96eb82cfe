import Foundation
import OpsBrainCore
import OpsBrainRunners

/// A real Prometheus (Debian's package) on 127.0.0.1 that scrapes itself every second.
public final class PrometheusProcess {
    public static let binary = "/usr/bin/prometheus"
    public let baseURL: String
    private let directory: String
    private let process = Process()

    /// Starts it and waits until it is ready and has scraped itself once (`up{job="prometheus"}` has a series).
    public init() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else { throw StepFailure("\(Self.binary) is not installed") }
        directory = try TemporaryDirectory.make(prefix: "ob-prometheus")
        let port = try TestSockets.freePort()
        baseURL = "http://127.0.0.1:\(port)"
        try """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            scrape_configs:
              - job_name: prometheus
                static_configs: [{targets: ['127.0.0.1:\(port)']}]
            """.write(toFile: "\(directory)/prometheus.yml", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["--config.file=\(directory)/prometheus.yml", "--storage.tsdb.path=\(directory)/data",
                             "--web.listen-address=127.0.0.1:\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try waitFor("/api/v1/query?query=up", containing: "\"value\"")
    }

    private func waitFor(_ path: String, containing text: String) throws {
        let client = HTTPClient()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let response = try? client.send(HTTPRequest(url: baseURL + path, timeout: .seconds(1))),
               response.isSuccess, response.bodyText(limit: 65536).contains(text) { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        stop()
        throw StepFailure("prometheus at \(baseURL) did not answer \(path) with \(text)")
    }

    public func stop() {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
