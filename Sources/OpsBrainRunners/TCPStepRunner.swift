import Logging
import OpsBrainCore
import OpsBrainPlatform

/// Runs `tcp` steps: can a TCP connection to the target be opened within the step's timeout?
///
/// A connection that is refused, unreachable or too slow is a result (`connected: false`), not an
/// error; a missing or unusable target is an error.
public struct TCPStepRunner: StepRunner {
    private static let logger = Logger(label: "opsbrain.runners.tcp")

    public init() {}

    public var stepTypes: Set<StepType> { [.tcp] }

    /// Connects to the target's host and port, yielding `connected` and `latency_ms`.
    public func run(_ step: StepSpec, context: StepContext) -> StepResult {
        let started = ContinuousClock.now
        func elapsed() -> Int { Int(started.duration(to: .now).milliseconds) }
        let endpoint: (host: String, port: Int)
        do {
            let target = try context.target(step.target, kinds: [.tcp, .tls, .http, .postgres, .redis])
            endpoint = try Self.endpoint(of: target, environment: context.environment)
        } catch {
            return .failure("step '\(step.id)': \(error)", durationMs: elapsed())
        }
        let connectStarted = ContinuousClock.now
        let connected: Bool
        do {
            let socket = try TCPSocket.connect(host: endpoint.host, port: endpoint.port, deadline: started + step.timeout)
            socket.close()
            connected = true
        } catch {
            Self.logger.debug("tcp step \(step.id): not connected: \(error)")
            connected = false
        }
        let latency = Int(connectStarted.duration(to: .now).milliseconds)
        return StepResult(values: ["connected": .bool(connected), "latency_ms": .number(Double(latency))],
                          durationMs: elapsed())
    }

    /// The host and port a target names: `host` + `port` for tcp and tls (tls defaults to 443),
    /// the URL's host and port for http, postgres and redis.
    static func endpoint(of target: TargetDefinition, environment: [String: String]) throws -> (host: String, port: Int) {
        switch target.kind {
        case .tcp, .tls:
            guard let host = target.string("host"), !host.isEmpty else {
                throw StepFailure("target '\(target.name)' has no host")
            }
            guard let port = target.int("port") ?? (target.kind == .tls ? 443 : nil) else {
                throw StepFailure("target '\(target.name)' has no port")
            }
            guard (1...65535).contains(port) else { throw StepFailure("target '\(target.name)': port \(port) is not in 1...65535") }
            return (host, port)
        default:
            let text = try target.resolved("url", environment: environment)
            let url = try ServiceURL.parse(text, context: "target '\(target.name)'")
            return (url.host, url.port)
        }
    }
}
