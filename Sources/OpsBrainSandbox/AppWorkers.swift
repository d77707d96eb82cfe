import Foundation
import OpsBrainPostgres
import OpsBrainRunners

/// The app's background work: calls to the integration (with the token from Redis, each recorded
/// in `integration_requests`) and a one-line-per-second access log.
struct AppWorkers: Sendable {
    let app: SandboxApp

    /// Every 2 s: read the access token from Redis, "call" the integration with it and record the answer.
    func integrationLoop() {
        var connection: PostgresConnection?
        while true {
            sleep(2)
            let redis = try? RESPClient(url: app.layout.redisURL, deadline: .now + .seconds(2))
            let stored = (try? redis?.command(["GET", SandboxLayout.tokenKey]))??.string
            redis?.close()
            let problem = IntegrationToken.problem(with: stored, secret: app.secret)
            let status = problem == nil ? 200 : 401
            app.metrics.countIntegrationCall(status: status)
            do {
                if connection == nil {
                    connection = try PostgresConnection(conninfo: app.layout.appDatabaseURL, applicationName: SandboxLayout.appSessionName)
                }
                _ = try connection?.query("INSERT INTO integration_requests (provider, status_code, error_code) VALUES ('crm', $1, $2)",
                                          [status, problem])
            } catch {
                connection?.close()
                connection = nil
            }
        }
    }

    /// Every second: one line with the requests answered since the last line, appended to the app log.
    func accessLogLoop() {
        var last: [Int: Int] = [:]
        while true {
            sleep(1)
            let totals = app.metrics.requestTotals()
            let delta = totals.map { ($0.key, $0.value - last[$0.key, default: 0]) }.filter { $0.1 > 0 }.sorted { $0.0 < $1.0 }
            last = totals
            appendLog("requests " + delta.map { "\($0.0)=\($0.1)" }.joined(separator: " "))
        }
    }

    /// Appends one timestamped line to the app log.
    func appendLog(_ message: String) {
        TextLog.append(ISO8601DateFormatter().string(from: Date()) + " " + message, to: app.layout.appLog)
    }
}
