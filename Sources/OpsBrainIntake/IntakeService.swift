import Foundation
import Logging
import OpsBrainCore
import OpsBrainPostgres

/// The intake endpoints: webhooks, health, metrics and the ops API, over one connection pool.
public final class IntakeService: Sendable {
    let pool: PostgresPool
    let metrics: MetricsRegistry
    /// The bearer token required on POSTs and the ops API; nil leaves them open (loopback use).
    let token: String?
    let isLeader: @Sendable () -> Bool
    let onResolved: IntakeRepository.ResolutionHook?
    let logger = Logger(label: "opsbrain.intake")

    public init(pool: PostgresPool, metrics: MetricsRegistry, token: String?, isLeader: @escaping @Sendable () -> Bool,
                onResolved: IntakeRepository.ResolutionHook? = nil) {
        self.pool = pool
        self.metrics = metrics
        self.token = token
        self.isLeader = isLeader
        self.onResolved = onResolved
    }

    /// The routes this service answers.
    public func router() -> Router {
        var router = Router()
        router.add("GET", "/healthz") { [self] _, _ in health() }
        router.add("GET", "/metrics") { [self] _, _ in metricsPage() }
        router.add("POST", "/api/v1/alerts/alertmanager") { [self] request, _ in webhook(request, source: "alertmanager", WebhookParser.alertmanager) }
        router.add("POST", "/api/v1/alerts/grafana") { [self] request, _ in webhook(request, source: "grafana", WebhookParser.grafana) }
        router.add("POST", "/api/v1/alerts") { [self] request, _ in webhook(request, source: "webhook", WebhookParser.generic) }
        OpsAPI(service: self).register(in: &router)
        return router
    }

    /// Checks the bearer token (constant time); nil when the request may go on.
    func unauthorized(_ request: HTTPServerRequest) -> HTTPServerResponse? {
        guard let token else { return nil }
        let given = Array((request.bearerToken ?? "").utf8)
        let expected = Array(token.utf8)
        var difference = given.count ^ expected.count
        for index in 0..<expected.count { difference |= Int(expected[index] ^ (index < given.count ? given[index] : 0)) }
        return difference == 0 ? nil : .error(401, "missing or wrong bearer token")
    }

    /// Runs `body` with a pooled connection; a database that cannot be reached answers 503.
    func withDatabase(_ body: (PostgresConnection) throws -> HTTPServerResponse) -> HTTPServerResponse {
        do {
            return try pool.with(body)
        } catch let error as PostgresError where error.kind == .connection || error.isConnectionLoss {
            logger.warning("database unavailable", metadata: ["error": "\(error)"])
            return .error(503, "database unavailable; retry later")
        } catch let refused as ApprovalRefused {
            return .error(409, refused.description)
        } catch {
            logger.error("request failed", metadata: ["error": "\(error)"])
            return .error(500, "internal error: \(error)")
        }
    }

    private func webhook(_ request: HTTPServerRequest, source: String, _ parse: (JSONValue) throws -> [IncomingAlert]) -> HTTPServerResponse {
        if let denied = unauthorized(request) { return denied }
        let alerts: [IncomingAlert]
        do {
            guard let text = String(validating: request.body, as: UTF8.self) else { return .error(400, "the body is not UTF-8 text") }
            alerts = try parse(try JSONValue(parsing: text, maxDepth: 32))
        } catch let error as JSONParseError {
            return .error(400, error.field == nil ? "malformed JSON: \(error)" : error.message, field: error.field)
        } catch let error as PayloadError {
            return .error(400, error.message, field: error.field)
        } catch {
            return .error(400, "\(error)")
        }
        return withDatabase { connection in
            let outcome = try IntakeRepository(connection: connection, onResolved: onResolved).ingest(alerts)
            metrics.increment("opsbrain_alerts_received_total", labels: ["source": source], by: Double(alerts.count),
                              help: "Alerts received, by source.")
            return .json(200, outcome.json)
        }
    }

    private func health() -> HTTPServerResponse {
        let up = (try? pool.with(timeout: .seconds(2)) { try $0.query("SELECT 1 AS one", repeating: .safeToRepeat).first?.int("one") == 1 }) ?? false
        return .json(up ? 200 : 503, .object(["status": .string(up ? "ok" : "degraded"), "database": .string(up ? "up" : "down"),
                                               "leader": .bool(isLeader())]))
    }

    private func metricsPage() -> HTTPServerResponse {
        let up = (try? pool.with(timeout: .seconds(2)) { connection -> Bool in
            try MetricsSnapshot.record(from: connection, into: metrics)
            return true
        }) ?? false
        metrics.set("opsbrain_database_up", to: up ? 1 : 0, help: "1 when the database answered the last scrape.")
        metrics.set("opsbrain_leader", to: isLeader() ? 1 : 0, help: "1 while this engine holds the leader lock.")
        return .text(200, metrics.render(), contentType: "text/plain; version=0.0.4; charset=utf-8")
    }
}
