import Dispatch
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypesHTTP1
import OpsBrainCore
import ServiceLifecycle
import Synchronization

/// The HTTP server for webhooks, health, metrics and the ops API: Hummingbird on SwiftNIO.
///
/// HTTP parsing, keep-alive and pipelining are the library's. Ours are the limits: bodies are
/// capped (413), heads are capped (431), a started request must arrive within the read timeout
/// (408), and handlers, which block on libpq, run on a bounded pool off the event loop, so a
/// full pool answers 503 with `Retry-After` instead of hanging. As a `Service` it runs in the
/// engine's service group; `start()`/`stop()` serve callers without one (the sandbox, tests).
public final class HTTPServer: Service, Sendable {
    /// The limits every connection and request is held to.
    public struct Limits: Sendable {
        public var maxBodyBytes = 1 << 20
        public var maxHeaderBytes = 16 * 1024
        public var maxHeaderCount = 100
        public var readTimeout: Duration = .seconds(10)
        public var idleTimeout: Duration = .seconds(15)
        /// Threads that run handlers.
        public var workers = 16
        /// Requests that may wait for a worker before the server answers 503.
        public var queued = 64

        public init() {}
    }

    /// Answers one request; it may block (it runs on the worker pool).
    public typealias Handler = @Sendable (HTTPServerRequest) -> HTTPServerResponse

    private let host: String
    private let requestedPort: Int
    private let limits: Limits
    private let handler: Handler
    private let logger = Logger(label: "opsbrain.http")
    private let bound = Mutex<Int?>(nil)
    /// Signalled once the server listens (or failed to start), and kept signalled for every waiter.
    private let listened = DispatchSemaphore(value: 0)
    private let background = Mutex<Background?>(nil)

    public init(host: String, port: Int, limits: Limits = Limits(), handler: @escaping Handler) {
        self.host = host == "localhost" ? "127.0.0.1" : host
        self.requestedPort = port
        self.limits = limits
        self.handler = handler
    }

    /// The port actually bound (useful with port 0); 0 until the server listens.
    public var port: Int { bound.withLock { $0 } ?? 0 }

    /// Waits up to `timeout` for the server to listen; true once it does.
    public func waitUntilListening(timeout: Duration = .seconds(10)) -> Bool {
        let (seconds, attoseconds) = timeout.components
        guard listened.wait(timeout: .now() + .milliseconds(Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))) == .success
        else { return false }
        listened.signal()
        return port != 0
    }

    /// Serves until the service group shuts down gracefully or the task is cancelled.
    public func run() async throws {
        let pool = BlockingWorkPool(threads: limits.workers, queued: limits.queued)
        let responder = BlockingResponder(limits: limits, pool: pool, handler: handler)
        let app = Application(responder: responder, server: serverBuilder(),
                              configuration: ApplicationConfiguration(address: .hostname(host, port: requestedPort), serverName: nil,
                                                                      backlog: 256, reuseAddress: true),
                              onServerRunning: { [self] channel in
                                  let port = channel.localAddress?.port ?? 0
                                  bound.withLock { $0 = port }
                                  logger.info("listening", metadata: ["address": "\(host):\(port)"])
                                  listened.signal()
                              },
                              logger: logger)
        defer { Task { await pool.shutdown() } }
        try await app.run()
    }

    /// Starts serving in a service group of its own and returns once the server listens; throws when it cannot.
    public func start() throws {
        let failure = Mutex<(any Error)?>(nil)
        let group = ServiceGroup(configuration: .init(services: [self], logger: logger))
        let task = Task { [listened] in
            do {
                try await group.run()
            } catch {
                failure.withLock { $0 = error }
                listened.signal()
            }
        }
        background.withLock { $0 = Background(group: group, task: task) }
        guard waitUntilListening(timeout: .seconds(30)) else {
            stop()
            let reason = failure.withLock { $0 }.map { "\($0)" } ?? "it did not start within 30 s"
            throw StepFailure("cannot listen on \(host):\(requestedPort): \(reason)")
        }
    }

    /// Stops a server begun with `start()` gracefully and waits until its port is closed. Idempotent.
    public func stop() {
        guard let running = background.withLock({ current -> Background? in
            defer { current = nil }
            return current
        }) else { return }
        let done = DispatchSemaphore(value: 0)
        Task {
            await running.group.triggerGracefulShutdown()
            _ = await running.task.result
            done.signal()
        }
        done.wait()
    }

    /// A server begun with `start()`: its group and the task running it.
    private struct Background: Sendable {
        let group: ServiceGroup
        let task: Task<Void, Never>
    }

    private func serverBuilder() -> HTTPServerBuilder {
        let limits = limits
        let decoder = HTTP1Channel.Configuration.DecoderConfiguration(maxHeaderFieldSize: limits.maxHeaderBytes,
                                                                     maxHeaderListSize: limits.maxHeaderBytes,
                                                                     maxHeaderFieldCount: limits.maxHeaderCount)
        return HTTPServerBuilder { responder in
            GuardedHTTP1Channel(
                base: HTTP1Channel(responder: responder,
                                   configuration: .init(additionalChannelHandlers: [RequestProgressHandler()],
                                                        httpDecoderConfiguration: decoder)),
                readTimeout: TimeAmount(limits.readTimeout), idleTimeout: TimeAmount(limits.idleTimeout))
        }
    }
}

/// Hummingbird's HTTP/1.1 channel with the request deadline in front of its decoder.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let base: HTTP1Channel
    let readTimeout: TimeAmount
    let idleTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(RequestDeadlineHandler(readTimeout: readTimeout, idleTimeout: idleTimeout))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }.flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let converter = try pipeline.handler(type: HTTP1ToHTTPServerCodec.self)
            try pipeline.addHandler(ConnectionCloseHandler(), position: .before(converter))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension TimeAmount {
    /// The same span as a `Duration`, to the nanosecond.
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
