import Foundation
import OpsBrainRunners

/// The app's users: a steady stream of API calls over every route, so error rates and the
/// cache mean something. Runs on its own thread until stopped.
public final class SandboxTraffic: @unchecked Sendable {
    private let layout: SandboxLayout
    private let perSecond: Int
    private let lock = NSLock()
    private var running = false

    public init(layout: SandboxLayout, perSecond: Int = 10) {
        self.layout = layout
        self.perSecond = perSecond
    }

    public func start() {
        lock.lock()
        defer { lock.unlock() }
        guard !running else { return }
        running = true
        Thread { [self] in loop() }.start()
    }

    public func stop() {
        lock.lock()
        running = false
        lock.unlock()
    }

    private var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return running
    }

    private func loop() {
        let client = HTTPClient()
        var index = 0
        let pause = UInt32(1_000_000 / max(1, perSecond))
        while isRunning {
            let route = SandboxLayout.routes[index % SandboxLayout.routes.count]
            index += 1
            _ = try? client.send(HTTPRequest(method: "GET", url: layout.appURL + "/api/\(route)", timeout: .seconds(2)))
            usleep(pause)
        }
    }
}
