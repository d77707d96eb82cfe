import Foundation
import OpsBrainRunners

/// Starts, stops and checks the sandbox app: what the `app_service` target's start, stop and
/// status argv run, exactly as a service manager's scripts would.
public struct AppControl: Sendable {
    public let layout: SandboxLayout

    public init(layout: SandboxLayout) { self.layout = layout }

    /// Starts the app in its own session (unless it runs) and returns once it answers /healthz.
    public func start() throws {
        if answers() { return }
        try SandboxServices.requireFreePort(layout.appPort, for: "app")
        let pid = try DetachedProcess.spawn(layout.command("app", "run"), log: layout.serviceLog("app"))
        try "\(pid)\n".write(toFile: layout.pidFile("app"), atomically: true, encoding: .utf8)
        try SandboxServices.waitUntil("the sandbox app on port \(layout.appPort)", log: layout.serviceLog("app"), timeout: 15) { answers() }
    }

    /// Stops the app if it runs.
    public func stop() {
        DetachedProcess.stop(pidFile: layout.pidFile("app"))
    }

    /// Kills the app with SIGKILL, as a crash would; false when it was not running.
    @discardableResult
    public func crash() -> Bool {
        guard let pid = DetachedProcess.runningPid(in: layout.pidFile("app")) else { return false }
        kill(pid, SIGKILL)
        _ = waitpid(pid, nil, 0)   // reaped at once when we started it (returns at once otherwise)
        return true
    }

    /// True when GET /healthz answers 200 within a second.
    public func answers() -> Bool {
        (try? HTTPClient().send(HTTPRequest(method: "GET", url: layout.appURL + "/healthz", timeout: .seconds(1))))?.status == 200
    }
}
