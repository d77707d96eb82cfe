import OpsBrainCore
import OpsBrainPlatform

/// Carries out the HTTP fix operations: `http_call` (with an optional undo request),
/// `connection_refresh` (an app's refresh endpoint, or a service reload) and
/// `alertmanager_silence` (a silence, expired again on rollback).
public struct HTTPOperationDriver: OperationDriver {
    public let operations: Set<OperationType> = [.httpCall, .connectionRefresh, .alertmanagerSilence]
    /// The most response body (or command output) kept in an outcome's details.
    static let outputLimit = 4096

    let client: HTTPClient

    /// A driver sending its requests through `client`.
    public init(client: HTTPClient = HTTPClient()) {
        self.client = client
    }

    /// The request or command `execute` would make, with secrets masked.
    public func plan(_ operation: FixOperationSpec, context: StepContext) throws -> String {
        switch operation.operation {
        case .httpCall:
            let endpoint = try endpoint(operation, context: context, kinds: [.http])
            let call = try HTTPCallSpec(operation.parameters, role: "http_call")
            let undo = try HTTPCallSpec.undo(of: operation.parameters).map { "; undo: " + $0.describe(on: endpoint) } ?? ""
            return call.describe(on: endpoint) + undo
        case .connectionRefresh:
            let target = try context.target(operation.target, kinds: [.http, .service])
            if target.kind == .service { return "run " + (try reloadArgv(of: target)).joined(separator: " ") }
            return refreshCall(operation).describe(on: try endpoint(operation, context: context, kinds: [.http]))
        case .alertmanagerSilence:
            return try planSilence(operation, context: context)
        default:
            throw unsupported(operation)
        }
    }

    /// Runs the operation; failures (missing target, refused connection, non-2xx answer) come back as a failed outcome.
    public func execute(_ operation: FixOperationSpec, context: StepContext) -> OperationOutcome {
        do {
            switch operation.operation {
            case .httpCall: return try httpCall(operation, context: context)
            case .connectionRefresh: return try refresh(operation, context: context)
            case .alertmanagerSilence: return try silence(operation, context: context)
            default: throw unsupported(operation)
            }
        } catch {
            return .failed("\(operation.operation.rawValue) '\(operation.id)': \(error)")
        }
    }

    /// Sends an `http_call`'s undo request, or expires the silence an `alertmanager_silence` made.
    public func rollback(_ operation: FixOperationSpec, undo: JSONValue, context: StepContext) -> OperationOutcome {
        do {
            switch operation.operation {
            case .httpCall:
                let endpoint = try endpoint(operation, context: context, kinds: [.http])
                guard let fields = undo.objectValue else { throw StepFailure("the undo record is not a request") }
                let call = try HTTPCallSpec(fields, role: "undo")
                return outcome(of: try call.send(to: endpoint, timeout: operation.timeout), for: call, on: endpoint, undo: nil)
            case .alertmanagerSilence:
                return try expireSilence(operation, undo: undo, context: context)
            default:
                throw StepFailure("\(operation.operation.rawValue) cannot be rolled back")
            }
        } catch {
            return .failed("rollback of \(operation.operation.rawValue) '\(operation.id)': \(error)")
        }
    }

    /// The target of `operation` as an HTTP endpoint.
    func endpoint(_ operation: FixOperationSpec, context: StepContext, kinds: Set<TargetKind>) throws -> HTTPEndpoint {
        let target = try context.target(operation.target, kinds: kinds)
        return try HTTPEndpoint(target, environment: context.environment, client: client)
    }

    /// Sends the request; 2xx succeeds, and only then is `undo` kept (a failed call has nothing to undo).
    private func httpCall(_ operation: FixOperationSpec, context: StepContext) throws -> OperationOutcome {
        let endpoint = try endpoint(operation, context: context, kinds: [.http])
        let call = try HTTPCallSpec(operation.parameters, role: "http_call")
        let undo = try HTTPCallSpec.undo(of: operation.parameters)
        let response = try call.send(to: endpoint, timeout: operation.timeout)
        return outcome(of: response, for: call, on: endpoint, undo: undo?.json)
    }

    /// POSTs to an http target's refresh path, or reloads a service target.
    private func refresh(_ operation: FixOperationSpec, context: StepContext) throws -> OperationOutcome {
        let target = try context.target(operation.target, kinds: [.http, .service])
        if target.kind == .service { return try reload(target, timeout: operation.timeout) }
        let endpoint = try endpoint(operation, context: context, kinds: [.http])
        let call = refreshCall(operation)
        return outcome(of: try call.send(to: endpoint, timeout: operation.timeout), for: call, on: endpoint, undo: nil)
    }

    /// `POST {url}{path}` to an http target's refresh endpoint.
    private func refreshCall(_ operation: FixOperationSpec) -> HTTPCallSpec {
        HTTPCallSpec(method: "POST", path: operation.parameters["path"]?.stringValue)
    }

    /// `systemctl reload <unit>` for a unit, else the target's own `reload` argv.
    func reloadArgv(of target: TargetDefinition) throws -> [String] {
        if let unit = target.string("unit"), !unit.isEmpty {
            guard !unit.hasPrefix("-") else { throw StepFailure("service target '\(target.name)': bad unit name \(unit)") }
            return ["systemctl", "reload", unit]
        }
        if let argv = target.argv("reload"), !argv.isEmpty { return argv }
        throw StepFailure("service target '\(target.name)' has neither a unit nor a reload command")
    }

    private func reload(_ target: TargetDefinition, timeout: Duration) throws -> OperationOutcome {
        let argv = try reloadArgv(of: target)
        let output = try ProcessRunner.run(argv, timeout: timeout, outputLimit: Self.outputLimit)
        let command = argv.joined(separator: " ")
        let details: JSONValue = .object([
            "argv": .array(argv.map(JSONValue.string)), "exit_code": .number(Double(output.exitCode)),
            "timed_out": .bool(output.timedOut), "stdout": .string(output.stdout), "stderr": .string(output.stderr),
        ])
        if output.timedOut {
            return OperationOutcome(succeeded: false, summary: "Reload of '\(target.name)' timed out: \(command)", details: details)
        }
        guard output.exitCode == 0 else {
            let reason = output.stderr.split(whereSeparator: \.isNewline).first.map { ": \($0)" } ?? ""
            return OperationOutcome(succeeded: false, summary: "\(command) exited with \(output.exitCode)\(reason)", details: details)
        }
        return OperationOutcome(succeeded: true, summary: "Reloaded '\(target.name)' (\(command))", details: details)
    }

    /// The outcome of one request: 2xx succeeds; details keep the status, latency and first 4 KiB of the body.
    private func outcome(of response: HTTPResponse, for call: HTTPCallSpec, on endpoint: HTTPEndpoint, undo: JSONValue?) -> OperationOutcome {
        let request = endpoint.describe(call.method, path: call.path)
        let details: JSONValue = .object([
            "request": .string(request), "status": .number(Double(response.status)),
            "latency_ms": .number(Double(response.latencyMs)),
            "body": .string(endpoint.bodyText(response, limit: Self.outputLimit)),
        ])
        let summary = "\(request) answered HTTP \(response.status) in \(response.latencyMs) ms"
        return OperationOutcome(succeeded: response.isSuccess, summary: summary, details: details,
                                undo: response.isSuccess ? undo : nil)
    }

    private func unsupported(_ operation: FixOperationSpec) -> StepFailure {
        StepFailure("\(operation.operation.rawValue) is not an HTTP operation")
    }
}
