import Foundation
import OpsBrainCore
import OpsBrainEngine
import OpsBrainIntake
import OpsBrainPostgres

/// Builds the intake HTTP server that runs next to an engine.
public enum IntakeAssembly {
    /// Builds and starts the server on its own (tests, tools); nil for `off`.
    public static func start(listen: String, config: OpsBrainConfig, conninfo: String, metrics: MetricsRegistry,
                             isLeader: @escaping @Sendable () -> Bool,
                             environment: [String: String] = ProcessInfo.processInfo.environment,
                             limits: HTTPServer.Limits = HTTPServer.Limits()) throws -> HTTPServer? {
        let server = try server(listen: listen, config: config, conninfo: conninfo, metrics: metrics, isLeader: isLeader,
                                environment: environment, limits: limits)
        try server?.start()
        return server
    }

    /// The server for `listen` (`host:port`), not yet running (a service of the engine process); nil for `off`.
    public static func server(listen: String, config: OpsBrainConfig, conninfo: String, metrics: MetricsRegistry,
                              isLeader: @escaping @Sendable () -> Bool,
                              environment: [String: String] = ProcessInfo.processInfo.environment,
                              limits: HTTPServer.Limits = HTTPServer.Limits()) throws -> HTTPServer? {
        guard listen != "off" else { return nil }
        let parts = listen.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]), (0...65535).contains(port) else {
            throw StepFailure("listen address '\(listen)' is not host:port")
        }
        var token: String?
        if let variable = config.engine.apiTokenEnv {
            guard let value = environment[variable], !value.isEmpty else {
                throw StepFailure("engine.api_token_env names \(variable), which is not set")
            }
            token = value
        }
        let service = IntakeService(pool: PostgresPool(conninfo: conninfo, applicationName: "opsbrain-intake"),
                                    metrics: metrics, token: token, isLeader: isLeader,
                                    onResolved: { alertID, tx in try NotifierEvents.enqueueResolved(alertID: alertID, in: tx) })
        let router = service.router()
        let server = HTTPServer(host: String(parts[0]), port: port, limits: limits) { request in
            let response = router.handle(request)
            metrics.increment("opsbrain_http_requests_total", labels: ["code": String(response.status)],
                              help: "HTTP requests answered by the intake server, by status code.")
            return response
        }
        return server
    }
}
