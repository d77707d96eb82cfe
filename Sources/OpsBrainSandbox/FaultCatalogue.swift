import Foundation
import OpsBrainPostgres
import OpsBrainRunners

/// The faults the sandbox can suffer, each against a real service, in the order the demo plays them:
/// the crash early, so that it cannot end the leaked sessions before their 5 minutes are up, and the
/// person's session after the app's leak, so that each shows up on its own.
public enum FaultCatalogue {
    /// The catalogue, each fault bound to the sandbox at `layout`.
    public static func all(_ layout: SandboxLayout) -> [Fault] {
        [tempFlood, appCrash, logFlood, cacheFull, tokenExpired, poisonedCache, leakedTransactions, humanTransaction].map { $0(layout) }
    }

    static func tempFlood(_ layout: SandboxLayout) -> Fault {
        Fault(
            name: "temp-flood", summary: "65 stale render and upload files (2 days old) pile up in the app's temp directory",
            alertType: "temp_dir_growth", expectedSOP: "temp-directory-growth", fills: layout.tempDirectory,
            inject: {
                let old = Date().addingTimeInterval(-2 * 86400)
                for index in 1...25 { try writeFile(layout.tempDirectory + "/render-\(UUID().uuidString.prefix(8))-\(index).tmp", bytes: 64, modified: old) }
                for index in 1...40 { try writeFile(layout.tempDirectory + "/upload-\(UUID().uuidString.prefix(8))-\(index).part", bytes: 20_000, modified: old) }
            },
            healthy: {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: layout.tempDirectory)) ?? []
                return names.filter { $0.hasSuffix(".tmp") }.count < 10
            })
    }

    static func logFlood(_ layout: SandboxLayout) -> Fault {
        Fault(
            name: "log-flood", summary: "a burst of stack traces grows the app log past 500 MB",
            alertType: "log_file_large", expectedSOP: "log-file-too-large", fills: layout.appLog,
            inject: { try appendTraces(to: layout.appLog, untilBytes: 540 * 1_048_576) },
            healthy: { fileSize(layout.appLog) < 100 * 1_048_576 })
    }

    static func cacheFull(_ layout: SandboxLayout) -> Fault {
        Fault(
            name: "cache-full", summary: "cache and scratch keys fill Redis to about 90% of its maxmemory",
            alertType: "redis_memory_high", expectedSOP: "redis-memory-high",
            inject: { try fillRedis(url: layout.redisURL, cachePrefix: "cache:product", scratchPrefix: "tmp:report") },
            healthy: { ((try? withRedis(layout) { try redisUsedPercent($0) }) ?? 100) < 80 })
    }

    static func appCrash(_ layout: SandboxLayout) -> Fault {
        Fault(
            name: "app-crash", summary: "the app process dies (SIGKILL): the API refuses connections",
            alertType: "service_down", expectedSOP: "service-down",
            inject: {
                guard AppControl(layout: layout).crash() else { throw SandboxError("the app was not running") }
            },
            healthy: { AppControl(layout: layout).answers() })
    }

    static func tokenExpired(_ layout: SandboxLayout) -> Fault {
        Fault(
            name: "token-expired", summary: "the integration's access token expires without a refresh: calls get 401",
            alertType: "auth_token_expired", expectedSOP: "auth-token-expired",
            inject: {
                let stale = IntegrationToken.issue(secret: try layout.clientSecret(), now: Date().addingTimeInterval(-7200))
                _ = try withRedis(layout) { try $0.command(["SET", SandboxLayout.tokenKey, stale]) }
            },
            healthy: {
                guard let secret = try? layout.clientSecret(),
                      let stored = try? withRedis(layout, { try $0.command(["GET", SandboxLayout.tokenKey]).string }) else { return false }
                return IntegrationToken.problem(with: stored, secret: secret) == nil
            })
    }

    static func poisonedCache(_ layout: SandboxLayout) -> Fault {
        Fault(
            name: "poisoned-cache", summary: "unreadable cached answers make two API routes in twelve fail with 500",
            alertType: "http_5xx_rate_high", expectedSOP: "http-5xx-rate-high",
            inject: { try poison(routes: 2, layout: layout) },
            healthy: { allRoutesAnswer(layout) })
    }

    static func humanTransaction(_ layout: SandboxLayout) -> Fault {
        Fault(
            name: "human-transaction", summary: "a person's psql session sits idle in a transaction (visible after 5 minutes)",
            alertType: "postgres_idle_in_transaction", expectedSOP: "postgres-idle-in-transaction", expected: .escalate,
            inject: {
                let pid = try DetachedProcess.spawn(layout.command("hold-transaction", "--application", "psql"),
                                                    log: layout.serviceLog("human-session"))
                try "\(pid)\n".write(toFile: layout.pidFile("human-session"), atomically: true, encoding: .utf8)
            },
            healthy: { DetachedProcess.runningPid(in: layout.pidFile("human-session")) == nil },
            undo: { DetachedProcess.stop(pidFile: layout.pidFile("human-session")) })
    }

    static func leakedTransactions(_ layout: SandboxLayout) -> Fault {
        Fault(
            name: "leaked-transactions", summary: "an app code path leaves 3 sessions idle in transaction (visible after 5 minutes)",
            alertType: "postgres_idle_in_transaction", expectedSOP: "postgres-idle-in-transaction",
            inject: {
                let response = try HTTPClient().send(HTTPRequest(method: "POST", url: layout.appURL + "/admin/faults/leak-transactions?count=3",
                                                                 timeout: .seconds(10)))
                guard response.status == 200 else { throw SandboxError("the app did not leak sessions: HTTP \(response.status)") }
            },
            healthy: {
                guard let connection = try? PostgresConnection(conninfo: layout.appDatabaseURL) else { return false }
                defer { connection.close() }
                let rows = try? connection.query("SELECT count(*) AS stuck FROM pg_stat_activity WHERE state = 'idle in transaction'")
                return rows?.rows.first?.int("stuck") == 0
            })
    }
}
