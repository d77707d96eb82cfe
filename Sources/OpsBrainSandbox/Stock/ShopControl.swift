import Foundation
import OpsBrainRunners
#if canImport(Glibc)
import Glibc
#endif

/// Starts, stops and checks one shop instance: what the stock profile's `app_service` start, stop
/// and status argv run, standing in for the service manager (systemd) a real host would have.
public struct ShopControl: Sendable {
    public let layout: StockLayout
    public let instance: String

    public init(layout: StockLayout, instance: String) throws {
        guard StockLayout.port(of: instance) != nil else {
            throw SandboxError("no shop instance '\(instance)'; the instances: \(StockLayout.instances.joined(separator: ", "))")
        }
        self.init(layout: layout, declared: instance)
    }

    /// One of `StockLayout.instances`, named by the sandbox's own code.
    init(layout: StockLayout, declared instance: String) {
        self.layout = layout
        self.instance = instance
    }

    /// Starts the instance (unless it runs) and returns once it answers HTTP at all.
    public func start() throws {
        if isRunning { return }
        let port = StockLayout.port(of: instance) ?? 0
        try SandboxServices.requireFreePort(port, for: instance)
        let argv = ["/usr/bin/python3", layout.etcDirectory + "/shop.py", "--name", instance, "--port", "\(port)",
                    "--database", layout.shopDatabaseURL, "--log", layout.shopLog(instance), "--temp", layout.tempDirectory]
        let pid = try DetachedProcess.spawn(argv, log: layout.serviceLog(instance))
        try "\(pid)\n".write(toFile: layout.pidFile(instance), atomically: true, encoding: .utf8)
        try SandboxServices.waitUntil("\(instance) on port \(port)", log: layout.serviceLog(instance), timeout: 15) { listens() }
    }

    /// Stops the instance if it runs.
    public func stop() {
        DetachedProcess.stop(pidFile: layout.pidFile(instance))
    }

    /// Kills the instance with SIGKILL, as a crash or the OOM killer would; false when it was not running.
    @discardableResult
    public func crash() -> Bool {
        guard let pid = pid else { return false }
        kill(pid, SIGKILL)
        _ = waitpid(pid, nil, 0)
        return true
    }

    /// The instance's process id, when it runs.
    public var pid: pid_t? { DetachedProcess.runningPid(in: layout.pidFile(instance)) }

    public var isRunning: Bool { pid != nil && listens() }

    /// True when GET /healthz answers 200 within two seconds (the process and its database connection work).
    public func healthy() -> Bool { status(of: "/healthz") == 200 }

    /// True when GET /api/orders answers 200: the instance serves its users.
    public func serves() -> Bool { status(of: "/api/orders") == 200 }

    private func listens() -> Bool { status(of: "/metrics") != nil }

    private func status(of path: String) -> Int? {
        (try? HTTPClient().send(HTTPRequest(method: "GET", url: layout.shopURL(instance) + path, timeout: .seconds(2))))
            .map(\.status).flatMap { $0 == 0 ? nil : $0 }
    }
}
