import Foundation
import OpsBrainPostgres
import OpsBrainRunners

/// The faults of the stock profile, each against a stock component, each with a check of the real
/// goal (the space is freed, the writer is alive, the users are served), not of the symptom alone.
public enum StockFaults {
    /// The catalogue, in the order the bench plays it: the restarts first (the hourly cap of
    /// `service-down` counts the whole fleet), the person's session after the app's leak.
    public static func all(_ layout: StockLayout) -> [Fault] {
        [fiveDown, shopKilled, errorSpike, tempFlood, logGrowth, cacheFill, leakedTransactions, humanTransaction].map { $0(layout) }
    }

    static func shopKilled(_ layout: StockLayout) -> Fault {
        let shop = control(layout, "shop-6")
        return Fault(
            name: "shop-killed", summary: "shop-6 is killed (SIGKILL): Prometheus sees it down, nginx routes around it",
            alertType: "InstanceDown", expectedSOP: "service-down",
            inject: { guard shop.crash() else { throw SandboxError("shop-6 was not running") } },
            healthy: { shop.serves() }, undo: { try? shop.start() })
    }

    static func fiveDown(_ layout: StockLayout) -> Fault {
        let shops = StockLayout.instances.prefix(5).map { control(layout, $0) }
        return Fault(
            name: "five-down", summary: "five of the six shop instances are killed at once",
            alertType: "InstanceDown", expectedSOP: "service-down", alerts: shops.count,
            inject: { for shop in shops where !shop.crash() { throw SandboxError("\(shop.instance) was not running") } },
            healthy: { shops.allSatisfy { $0.serves() } }, undo: { for shop in shops { try? shop.start() } })
    }

    static func errorSpike(_ layout: StockLayout) -> Fault {
        let shop = control(layout, "shop-4")
        return Fault(
            name: "error-spike", summary: "shop-4 loses its database connection and never reconnects: its requests fail with 500 until it restarts",
            alertType: "HighErrorRate", expectedSOP: "http-5xx-rate-high",
            inject: {
                let ended = try adminQuery(layout, "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE application_name = 'shop-4'")
                guard ended == 1 else { throw SandboxError("shop-4 had \(ended) database sessions, expected 1") }
            },
            healthy: { shop.serves() }, undo: { shop.stop(); try? shop.start() })
    }

    static func tempFlood(_ layout: StockLayout) -> Fault {
        Fault(
            name: "temp-flood", summary: "80 stale temp files (tmp*, 50 KB each, 2 days old) fill the shop's temp directory",
            alertType: "temp_dir_growth", expectedSOP: "temp-directory-growth", fills: layout.tempDirectory,
            inject: {
                let old = Date().addingTimeInterval(-2 * 86400)
                for _ in 1...80 {
                    let name = "tmp" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(8).lowercased()
                    try FaultCatalogue.writeFile(layout.tempDirectory + "/" + name, bytes: 50_000, modified: old)
                }
            },
            healthy: { directoryBytes(layout.tempDirectory) < 512 * 1024 },
            undo: { for name in (try? FileManager.default.contentsOfDirectory(atPath: layout.tempDirectory)) ?? [] {
                try? FileManager.default.removeItem(atPath: layout.tempDirectory + "/" + name)
            } })
    }

    static func logGrowth(_ layout: StockLayout) -> Fault {
        let shop = control(layout, "shop-1")
        let log = layout.shopLog("shop-1")
        return Fault(
            name: "log-growth", summary: "an error storm grows shop-1's log past 500 MB; shop-1 keeps the file open",
            alertType: "log_file_large", expectedSOP: "log-file-too-large", fills: layout.shopLog("shop-1"),
            inject: { try FaultCatalogue.appendTraces(to: log, untilBytes: 540 * 1_048_576) },
            healthy: { FaultCatalogue.fileSize(log) < 100 * 1_048_576 && (shop.pid.map { deletedBytes(heldBy: $0) } ?? 0) < 1_048_576
                       && writesInto(log, shop) },
            undo: { shop.stop(); try? FileManager.default.removeItem(atPath: log); try? shop.start() })
    }

    static func cacheFill(_ layout: StockLayout) -> Fault {
        Fault(
            name: "cache-fill", summary: "product cache and export scratch keys fill Redis to 90% of its maxmemory",
            alertType: "redis_memory_high", expectedSOP: "redis-memory-high",
            inject: { try FaultCatalogue.fillRedis(url: layout.redisURL, cachePrefix: "shop:cache:product", scratchPrefix: "shop:tmp:export") },
            healthy: { ((try? FaultCatalogue.withRedis(url: layout.redisURL) { try FaultCatalogue.redisUsedPercent($0) }) ?? 100) < 80 },
            undo: { _ = try? FaultCatalogue.withRedis(url: layout.redisURL) { try $0.command(["FLUSHDB"]) } })
    }

    static func leakedTransactions(_ layout: StockLayout) -> Fault {
        let shop = control(layout, "shop-2")
        return Fault(
            name: "leaked-transactions", summary: "shop-2's orders export leaves 3 sessions idle in transaction (visible after a minute)",
            alertType: "postgres_idle_in_transaction", expectedSOP: "postgres-idle-in-transaction",
            inject: {
                for _ in 1...3 {
                    let answer = try HTTPClient().send(HTTPRequest(method: "GET", url: layout.shopURL("shop-2") + "/api/orders/export", timeout: .seconds(10)))
                    guard answer.status == 200 else { throw SandboxError("the export on shop-2 answered HTTP \(answer.status)") }
                }
            },
            healthy: { ((try? adminQuery(layout, "SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'idle in transaction'")) ?? 1) == 0
                       && shop.serves() },
            undo: { _ = try? adminQuery(layout, "SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE state = 'idle in transaction'") })
    }

    static func humanTransaction(_ layout: StockLayout) -> Fault {
        let pidFile = layout.pidFile("human-session")
        return Fault(
            name: "human-transaction", summary: "a person's psql session sits idle in a transaction on the shop database",
            alertType: "postgres_idle_in_transaction", expectedSOP: "postgres-idle-in-transaction", expected: .escalate,
            inject: {
                let argv = [layout.executableLink, "hold-transaction", "--application", "psql", "--database-url", layout.adminDatabaseURL]
                let pid = try DetachedProcess.spawn(argv, log: layout.serviceLog("human-session"))
                try "\(pid)\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
            },
            healthy: { DetachedProcess.runningPid(in: pidFile) == nil },
            undo: { DetachedProcess.stop(pidFile: pidFile) })
    }

    private static func control(_ layout: StockLayout, _ instance: String) -> ShopControl {
        ShopControl(layout: layout, declared: instance)
    }

    /// The integer the query returns as `n`, as the cluster's superuser on the shop database.
    static func adminQuery(_ layout: StockLayout, _ sql: String) throws -> Int {
        let connection = try PostgresConnection(conninfo: layout.adminDatabaseURL, applicationName: "opsbrain-sandbox")
        defer { connection.close() }
        return try connection.query(sql).rows.first?.int("n") ?? 0
    }

    /// Bytes of every file below `path`, subfolders (a quarantine among them) included.
    static func directoryBytes(_ path: String) -> Int {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return 0 }
        var total = 0
        while let name = walker.nextObject() as? String { total += FaultCatalogue.fileSize(path + "/" + name) }
        return total
    }

    /// Bytes of the deleted files `pid` still holds open: space the disk cannot get back while it runs.
    static func deletedBytes(heldBy pid: pid_t) -> Int {
        let fds = "/proc/\(pid)/fd"
        return ((try? FileManager.default.contentsOfDirectory(atPath: fds)) ?? []).reduce(0) { total, fd in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: fds + "/" + fd), target.hasSuffix(" (deleted)") else { return total }
            var info = stat()
            return stat(fds + "/" + fd, &info) == 0 ? total + Int(info.st_size) : total
        }
    }

    /// True when a request to `shop` makes its log at `path` grow: the writer is alive and writes into the file at that path.
    static func writesInto(_ path: String, _ shop: ShopControl) -> Bool {
        let before = FaultCatalogue.fileSize(path)
        guard shop.serves() else { return false }
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline {
            if FaultCatalogue.fileSize(path) > before { return true }
            usleep(100_000)
        }
        return false
    }
}
