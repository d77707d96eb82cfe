import Foundation
import OpsBrainRunners

/// A stack's users: a steady stream of requests over its routes, so error rates and the cache
/// mean something. Runs on its own thread until stopped.
public final class SandboxTraffic: @unchecked Sendable {
    private let urls: [String]
    private let perSecond: Int
    private let lock = NSLock()
    private var running = false

    public init(stack: any SandboxStack, perSecond: Int = 10) {
        self.urls = stack.userRequests
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
            let url = urls[index % urls.count]
            index += 1
            _ = try? client.send(HTTPRequest(method: "GET", url: url, timeout: .seconds(2)))
            usleep(pause)
        }
    }
}
