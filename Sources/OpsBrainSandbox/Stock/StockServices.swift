import Foundation
import OpsBrainPlatform
import OpsBrainPostgres
import OpsBrainRunners
#if canImport(Glibc)
import Glibc
#endif

/// Starts and stops the stock profile: Debian's nginx and prometheus-nginx-exporter, six shop
/// instances (Python, sandbox/stock/shop.py), Redis, PostgreSQL with the shop's own tables, and a
/// real Prometheus and Alertmanager configured by the profile's own files.
public struct StockServices: Sendable {
    public let layout: StockLayout

    public init(layout: StockLayout = StockLayout()) { self.layout = layout }

    /// The long-running services, each with its pid file's name, in start order after the database.
    private static let daemons = ["redis", "nginx", "nginx-exporter", "prometheus", "alertmanager"]

    /// Starts whatever is not running yet; `executable` is the opsbrain-sandbox binary the service argv run.
    public func up(executable: String) throws {
        try prepareFolders(executable: executable)
        try startDatabase()
        try startRedis()
        for instance in StockLayout.instances { try ShopControl(layout: layout, instance: instance).start() }
        try startNginx()
        try startDaemon("nginx-exporter", port: StockLayout.nginxExporterPort, ready: "/metrics",
                        ["prometheus-nginx-exporter", "-nginx.scrape-uri=http://127.0.0.1:\(StockLayout.nginxStatusPort)/stub_status",
                         "-web.listen-address=127.0.0.1:\(StockLayout.nginxExporterPort)"])
        try startDaemon("prometheus", port: StockLayout.prometheusPort, ready: "/-/ready",
                        ["prometheus", "--config.file=\(layout.etcDirectory)/prometheus.yml", "--storage.tsdb.path=\(layout.prometheusDirectory)",
                         "--web.listen-address=127.0.0.1:\(StockLayout.prometheusPort)", "--storage.tsdb.retention.time=1d"])
        try startDaemon("alertmanager", port: StockLayout.alertmanagerPort, ready: "/-/ready",
                        ["prometheus-alertmanager", "--config.file=\(layout.etcDirectory)/alertmanager.yml",
                         "--storage.path=\(layout.alertmanagerDirectory)", "--web.listen-address=127.0.0.1:\(StockLayout.alertmanagerPort)",
                         "--cluster.listen-address="])
    }

    /// Stops every service and every process a fault left behind; `purge` also deletes the profile's folder.
    public func down(purge: Bool) throws {
        for file in (try? FileManager.default.contentsOfDirectory(atPath: layout.runDirectory)) ?? [] where file.hasSuffix(".pid") {
            DetachedProcess.stop(pidFile: layout.runDirectory + "/" + file)
        }
        if FileManager.default.fileExists(atPath: layout.postgresRoot) { try cluster().stop() }
        if purge { try? FileManager.default.removeItem(atPath: layout.root) }
    }

    /// The variables `opsbrain engine` needs for sandbox/stock/opsbrain.yaml: the webhook token.
    public func engineEnvironment() throws -> [String: String] { ["OPSBRAIN_TOKEN": try layout.token()] }

    /// One line per service: running or not.
    public func status() -> [(String, Bool)] {
        StockLayout.instances.map { ($0, (try? ShopControl(layout: layout, instance: $0))?.isRunning ?? false) }
            + Self.daemons.map { ($0, DetachedProcess.runningPid(in: layout.pidFile($0)) != nil) }
            + [("postgres", SandboxSetup.isRunning(try? cluster()))]
    }

    private func prepareFolders(executable: String) throws {
        let manager = FileManager.default
        for folder in [layout.root, layout.shopDirectory, layout.tempDirectory, layout.logDirectory, layout.serviceLogDirectory,
                       layout.runDirectory, layout.etcDirectory, layout.redisDirectory, layout.prometheusDirectory,
                       layout.alertmanagerDirectory, layout.root + "/bin"] + ["logs", "run", "html", "tmp"].map({ layout.nginxPrefix + "/" + $0 }) {
            try manager.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        try? manager.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: layout.tempDirectory)
        for file in ["shop.py", "nginx.conf", "prometheus.yml", "rules.yml", "alertmanager.yml"] {
            guard let contents = manager.contents(atPath: layout.files + "/" + file) else {
                throw SandboxError("cannot read \(layout.files)/\(file): run from the repository's root, or pass --files")
            }
            try contents.write(to: URL(fileURLWithPath: layout.etcDirectory + "/" + file))
        }
        try Data("<!doctype html><title>shop</title><h1>shop</h1>\n".utf8).write(to: URL(fileURLWithPath: layout.nginxPrefix + "/html/index.html"))
        try SandboxSetup.makeSecret(at: layout.tokenFile, what: "webhook token")
        try SandboxSetup.link(layout.executableLink, to: executable)
    }

    private func cluster() throws -> EmbeddedCluster { try SandboxSetup.cluster(root: layout.postgresRoot, port: StockLayout.postgresPort) }

    private func startDatabase() throws {
        let admin = try SandboxSetup.startCluster(try cluster(), port: StockLayout.postgresPort)
        defer { admin.close() }
        if try admin.query("SELECT 1 FROM pg_roles WHERE rolname = 'shop'").rows.isEmpty { try admin.query("CREATE ROLE shop LOGIN") }
        if try admin.query("SELECT 1 FROM pg_database WHERE datname = 'shop'").rows.isEmpty { try admin.query("CREATE DATABASE shop OWNER shop") }
        let shop = try PostgresConnection(conninfo: layout.shopDatabaseURL)
        defer { shop.close() }
        for statement in Self.shopSchema { try shop.query(statement) }
    }

    /// The shop's own tables: nothing the shipped SOPs were written against.
    static let shopSchema = [
        "CREATE TABLE IF NOT EXISTS customers (id serial PRIMARY KEY, email text NOT NULL UNIQUE)",
        """
        CREATE TABLE IF NOT EXISTS orders (id serial PRIMARY KEY, customer int NOT NULL REFERENCES customers (id),
            total_cents int NOT NULL, placed_at timestamptz NOT NULL DEFAULT now())
        """,
        "INSERT INTO customers (email) SELECT 'customer' || n || '@example.com' FROM generate_series(1, 50) n ON CONFLICT DO NOTHING",
        "INSERT INTO orders (customer, total_cents) SELECT 1 + n % 50, 100 * n FROM generate_series(1, 200) n WHERE NOT EXISTS (SELECT 1 FROM orders)",
    ]

    private func startRedis() throws {
        try startDaemon("redis", port: StockLayout.redisPort, ready: nil,
                        ["redis-server", "--port", "\(StockLayout.redisPort)", "--bind", "127.0.0.1", "--dir", layout.redisDirectory,
                         "--save", "", "--appendonly", "no", "--maxmemory", "32mb", "--maxmemory-policy", "noeviction"])
    }

    private func startNginx() throws {
        try startDaemon("nginx", port: StockLayout.nginxPort, ready: "/",
                        ["nginx", "-p", layout.nginxPrefix + "/", "-c", layout.etcDirectory + "/nginx.conf"])
    }

    /// Spawns `argv` unless its pid file names a live process, and waits for its port (and `ready` path, over HTTP).
    private func startDaemon(_ name: String, port: Int, ready path: String?, _ argv: [String]) throws {
        guard DetachedProcess.runningPid(in: layout.pidFile(name)) == nil else { return }
        try SandboxServices.requireFreePort(port, for: name)
        let pid = try DetachedProcess.spawn(argv, log: layout.serviceLog(name))
        try "\(pid)\n".write(toFile: layout.pidFile(name), atomically: true, encoding: .utf8)
        try SandboxServices.waitUntil("\(name) on port \(port)", log: layout.serviceLog(name)) {
            guard let path else {
                return (try? TCPSocket.connect(host: "127.0.0.1", port: port, deadline: .now + .milliseconds(300))).map { $0.close(); return true } ?? false
            }
            return (try? HTTPClient().send(HTTPRequest(method: "GET", url: "http://127.0.0.1:\(port)\(path)", timeout: .seconds(1))))?.status == 200
        }
    }
}
