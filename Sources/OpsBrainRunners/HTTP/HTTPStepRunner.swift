import Foundation
import OpsBrainCore
import OpsBrainPlatform

/// Runs the read-only HTTP checks: `http` requests, Prometheus `metric` queries and
/// `tls_expiry` reads of a server's certificate.
public struct HTTPStepRunner: StepRunner {
    public let stepTypes: Set<StepType> = [.http, .metric, .tlsExpiry]
    /// The most body bytes an `http` step yields.
    public static let bodyLimit = 4096

    private let client: HTTPClient

    /// A runner sending its requests through `client`.
    public init(client: HTTPClient = HTTPClient()) {
        self.client = client
    }

    /// Runs `step`; a missing or wrong target becomes the result's error. For `http`, a server
    /// that does not answer (refused, timed out) is a result with status 0 and the reason as body.
    public func run(_ step: StepSpec, context: StepContext) -> StepResult {
        let start = ContinuousClock.now
        do {
            let values: [String: JSONValue]
            switch step.type {
            case .http: values = try http(step, context: context)
            case .metric: values = try metric(step, context: context)
            case .tlsExpiry: values = try tlsExpiry(step, context: context)
            default: throw StepFailure("step '\(step.id)': \(step.type.rawValue) is not an HTTP step type")
            }
            return StepResult(values: values, durationMs: Int(start.duration(to: .now).milliseconds))
        } catch {
            return .failure("\(error)", durationMs: Int(start.duration(to: .now).milliseconds))
        }
    }

    /// `status`, `latency_ms` and the first 4 KiB of `body` of one request to the target.
    private func http(_ step: StepSpec, context: StepContext) throws -> [String: JSONValue] {
        let target = try context.target(step.target, kinds: [.http, .prometheus, .alertmanager, .token])
        let endpoint = try HTTPEndpoint(target, environment: context.environment, client: client)
        let method = step.parameters["method"]?.stringValue ?? "GET"
        guard ["GET", "HEAD", "POST"].contains(method) else {
            throw StepFailure("step '\(step.id)': method \(method) is not allowed in a check (GET, HEAD or POST)")
        }
        let start = ContinuousClock.now
        let response: HTTPResponse
        do {
            response = try endpoint.send(method, path: step.parameters["path"]?.stringValue,
                                         body: step.parameters["body"], timeout: step.timeout)
        } catch let failure as StepFailure {
            // Nothing answered: that is the observation (status 0), not a check that could not run.
            return ["status": .number(0), "latency_ms": .number(Double(start.duration(to: .now).milliseconds)),
                    "body": .string(failure.message)]
        }
        return [
            "status": .number(Double(response.status)),
            "latency_ms": .number(Double(response.latencyMs)),
            "body": .string(endpoint.bodyText(response, limit: Self.bodyLimit)),
        ]
    }

    /// `value`: the first sample of a Prometheus instant query.
    private func metric(_ step: StepSpec, context: StepContext) throws -> [String: JSONValue] {
        let target = try context.target(step.target, kinds: [.prometheus])
        guard let written = step.parameters["query"]?.stringValue, !written.isEmpty else {
            throw StepFailure("step '\(step.id)': a metric step needs a query")
        }
        let query = SOPParameter.fillingInstance(written, with: context.instance)
        let endpoint = try HTTPEndpoint(target, environment: context.environment, client: client)
        let response = try endpoint.send("GET", path: "/api/v1/query?query=" + URLText.percentEncoded(query), timeout: step.timeout)
        return ["value": .number(try PrometheusQueryResult.firstValue(of: response, target: target.name))]
    }

    /// `days_left`, `subject` and `issuer` of the certificate a tls target (or an https http target) presents.
    private func tlsExpiry(_ step: StepSpec, context: StepContext) throws -> [String: JSONValue] {
        let target = try context.target(step.target, kinds: [.tls, .http])
        let address = try TLSAddress(target, environment: context.environment)
        do {
            // Not verified on purpose: the point is to read the expiry, even of a bad certificate.
            let certificate = try client.peerCertificate(host: address.host, port: address.port,
                                                         serverName: address.serverName, timeout: step.timeout)
            return [
                "days_left": .number(Double(certificate.daysLeft())),
                "subject": .string(certificate.subject),
                "issuer": .string(certificate.issuer),
            ]
        } catch let failure as StepFailure {
            throw StepFailure("target '\(target.name)': \(failure.message)")
        }
    }
}
