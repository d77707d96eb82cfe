import Foundation
import OpsBrainCore
import OpsBrainIntake
import OpsBrainPostgres
import OpsBrainRunners

/// The application the sandbox keeps alive: a small web API with a Redis response cache, an
/// OAuth token endpoint, a database, a log file and an integration worker, all real, so each fault
/// the injector causes shows up where a production app would show it.
public final class SandboxApp: @unchecked Sendable {
    let layout: SandboxLayout
    let secret: String
    let metrics = AppMetrics()
    private let leakLock = NSLock()
    private var leakedSessions: [PostgresConnection] = []
    private var server: HTTPServer?

    public init(layout: SandboxLayout) throws {
        self.layout = layout
        self.secret = try layout.clientSecret()
    }

    /// Starts serving and the background workers; they run for as long as the process does.
    public func start() throws {
        let server = HTTPServer(host: "127.0.0.1", port: layout.appPort) { [self] request in
            let response = route(request)
            if request.path.hasPrefix("/api/") { metrics.countRequest(status: response.status) }
            return response
        }
        try server.start()
        self.server = server
        let workers = AppWorkers(app: self)
        workers.appendLog("started, listening on \(layout.appURL)")
        Thread { workers.integrationLoop() }.start()
        Thread { workers.accessLogLoop() }.start()
    }

    func route(_ request: HTTPServerRequest) -> HTTPServerResponse {
        switch (request.method, request.path) {
        case ("GET", "/healthz"), ("GET", "/health"), ("HEAD", "/health"): return .text(200, "ok\n")
        case ("GET", "/health/db"): return databaseHealth()
        case ("GET", "/"): return .text(200, "<html><body><h1>Sandbox shop</h1></body></html>\n", contentType: "text/html")
        case ("GET", "/metrics"): return .text(200, metrics.exposition(), contentType: "text/plain; version=0.0.4")
        case ("POST", "/oauth/token"): return issueToken(request)
        case (_, "/oauth/token"): return .error(405, "the token endpoint takes POST")
        case ("POST", "/admin/db/pool/refresh"): return .json(200, .object(["refreshed": .bool(true)]))
        case ("POST", "/admin/faults/leak-transactions"): return leakTransactions(Int(request.query["count"] ?? "") ?? 3)
        case ("GET", _) where request.path.hasPrefix("/api/"): return api(String(request.path.dropFirst(5)))
        default: return .error(404, "no route \(request.method) \(request.path)")
        }
    }

    /// One API call: the answer comes from the Redis cache when present, else it is built and
    /// cached for 30 s. An entry that does not parse is a cache-layer error and answers 500.
    private func api(_ route: String) -> HTTPServerResponse {
        guard SandboxLayout.routes.contains(route) else { return .error(404, "no route /api/\(route)") }
        let key = "cache:api:\(route)"
        guard let redis = try? RESPClient(url: layout.redisURL, deadline: .now + .seconds(2)) else {
            metrics.countCacheError()
            return .json(200, Self.answer(route))
        }
        defer { redis.close() }
        switch (try? redis.command(["GET", key]))?.string {
        case .some(let cached) where cached.hasPrefix("v1:"):
            return HTTPServerResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(cached.dropFirst(3).utf8))
        case .some:
            metrics.countCacheError()
            return .error(500, "the cached answer for /api/\(route) is unreadable")
        case .none:
            let answer = Self.answer(route)
            _ = try? redis.command(["SET", key, "v1:" + answer.jsonText, "EX", "30"])
            return .json(200, answer)
        }
    }

    private static func answer(_ route: String) -> JSONValue {
        .object(["route": .string(route), "items": .number(Double(route.count * 7)), "served_at": .string(ISO8601DateFormatter().string(from: Date()))])
    }

    /// OAuth2 client credentials: a new access token for the right secret, `invalid_client` otherwise.
    private func issueToken(_ request: HTTPServerRequest) -> HTTPServerResponse {
        let form = Self.formFields(String(decoding: request.body, as: UTF8.self))
        guard form["grant_type"] == "client_credentials" else { return .json(400, .object(["error": .string("unsupported_grant_type")])) }
        guard form["client_secret"] == secret else { return .json(401, .object(["error": .string("invalid_client")])) }
        return .json(200, .object(["access_token": .string(IntegrationToken.issue(secret: secret)), "token_type": .string("Bearer"),
                                   "expires_in": .number(Double(IntegrationToken.lifetime))]))
    }

    static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        return fields
    }

    private func databaseHealth() -> HTTPServerResponse {
        do {
            let connection = try PostgresConnection(conninfo: layout.appDatabaseURL, applicationName: SandboxLayout.appSessionName)
            defer { connection.close() }
            _ = try connection.query("SELECT 1")
            return .text(200, "database ok\n")
        } catch {
            return .error(503, "database: \(error)")
        }
    }

    /// The bug the injector switches on: sessions that open a transaction and never end it.
    private func leakTransactions(_ count: Int) -> HTTPServerResponse {
        do {
            var opened: [PostgresConnection] = []
            for _ in 0..<max(1, min(count, 20)) {
                let session = try PostgresConnection(conninfo: layout.appDatabaseURL, applicationName: SandboxLayout.appSessionName)
                _ = try session.query("BEGIN")
                _ = try session.query("SELECT count(*) FROM jobs")
                opened.append(session)
            }
            leakLock.lock()
            leakedSessions += opened
            leakLock.unlock()
            return .json(200, .object(["leaked": .number(Double(opened.count))]))
        } catch {
            return .error(503, "could not open the sessions: \(error)")
        }
    }
}
