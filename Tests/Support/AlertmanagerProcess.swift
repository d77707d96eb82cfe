import Foundation
import OpsBrainCore
import OpsBrainRunners

/// A real Alertmanager (Debian's prometheus-alertmanager) on 127.0.0.1, clustering off.
public final class AlertmanagerProcess {
    public static let binary = "/usr/bin/prometheus-alertmanager"
    public let baseURL: String
    private let directory: String
    private let process = Process()

    /// An Alertmanager that sends every alert, resolves included, to Ops Brain's intake on
    /// `intakePort`, grouped by alert name and quickly (1 s), repeating after `repeatInterval`.
    public static func delivering(toIntakePort intakePort: Int, repeatInterval: String = "1h") throws -> AlertmanagerProcess {
        try AlertmanagerProcess(configYAML: """
            route:
              receiver: opsbrain
              group_by: ['alertname']
              group_wait: 1s
              group_interval: 1s
              repeat_interval: \(repeatInterval)
            receivers:
              - name: opsbrain
                webhook_configs:
                  - url: http://127.0.0.1:\(intakePort)/api/v1/alerts/alertmanager
                    send_resolved: true
            """)
    }

    /// Starts it with `configYAML` and waits until /-/ready answers.
    public init(configYAML: String = "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n") throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else { throw StepFailure("\(Self.binary) is not installed") }
        directory = try TemporaryDirectory.make(prefix: "ob-alertmanager")
        try configYAML.write(toFile: "\(directory)/alertmanager.yml", atomically: true, encoding: .utf8)
        let port = try TestSockets.freePort()
        baseURL = "http://127.0.0.1:\(port)"
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["--config.file=\(directory)/alertmanager.yml", "--storage.path=\(directory)/data",
                             "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address="]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try waitUntilReady()
    }

    private func waitUntilReady() throws {
        let client = HTTPClient()
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let response = try? client.send(HTTPRequest(url: baseURL + "/-/ready", timeout: .seconds(1))), response.isSuccess { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        stop()
        throw StepFailure("alertmanager at \(baseURL) did not become ready")
    }

    /// Posts alerts through Alertmanager's own API (as Prometheus would).
    public func post(alerts: JSONValue) throws {
        let response = try HTTPClient().send(HTTPRequest(method: "POST", url: baseURL + "/api/v2/alerts",
                                                         headers: ["Content-Type": "application/json"],
                                                         body: Array(alerts.jsonText.utf8), timeout: .seconds(5)))
        guard response.isSuccess else { throw StepFailure("alertmanager refused the alerts: \(response.status)") }
    }

    public func stop() {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
