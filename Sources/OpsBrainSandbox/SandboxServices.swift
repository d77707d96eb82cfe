import Foundation
import OpsBrainPlatform
import OpsBrainPostgres
import OpsBrainRunners
#if canImport(Glibc)
import Glibc
#endif

/// Starts and stops the sandbox's real services: the app's PostgreSQL (on TCP), Redis (with a
/// small maxmemory, so the cache can fill), Prometheus (scraping the app) and the app itself.
public struct SandboxServices: Sendable {
    public let layout: SandboxLayout

    public init(layout: SandboxLayout) { self.layout = layout }

    /// Starts whatever is not running yet; `executable` is the opsbrain-sandbox binary the app runs from.
    public func up(executable: String) throws {
        try prepareFolders(executable: executable)
        try startDatabase()
        try startRedis()
        try startPrometheus()
        try seedToken()
        try startInbox()
        try AppControl(layout: layout).start()
    }

    /// Stops every service and every process a fault left behind; `purge` also deletes the sandbox folder.
    public func down(purge: Bool) throws {
        let pidFiles = (try? FileManager.default.contentsOfDirectory(atPath: layout.runDirectory)) ?? []
        for file in pidFiles where file.hasSuffix(".pid") {   // the app, the inbox, Redis, Prometheus, held sessions
            DetachedProcess.stop(pidFile: layout.runDirectory + "/" + file)
        }
        if FileManager.default.fileExists(atPath: layout.postgresRoot) { try cluster().stop() }
        if purge { try? FileManager.default.removeItem(atPath: layout.root) }
    }

    /// The variables `opsbrain engine` needs for sandbox/opsbrain.yaml: the OAuth client secret
    /// and where notifications go.
    public func engineEnvironment() throws -> [String: String] {
        NotificationInbox(layout: layout).environment.merging(["SANDBOX_CLIENT_SECRET": try layout.clientSecret()]) { $1 }
    }

    /// One line per service: running or not.
    public func status() -> [(String, Bool)] {
        [("app", AppControl(layout: layout).answers()),
         ("notification inbox", DetachedProcess.runningPid(in: layout.pidFile("inbox")) != nil),
         ("redis", DetachedProcess.runningPid(in: layout.pidFile("redis")) != nil),
         ("prometheus", DetachedProcess.runningPid(in: layout.pidFile("prometheus")) != nil),
         ("postgres", SandboxSetup.isRunning(try? cluster()))]
    }

    private func prepareFolders(executable: String) throws {
        let manager = FileManager.default
        for folder in [layout.root, layout.tempDirectory, layout.logDirectory, layout.serviceLogDirectory, layout.runDirectory,
                       layout.redisDirectory, layout.prometheusDirectory, layout.root + "/bin"] {
            try manager.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        try SandboxSetup.makeSecret(at: layout.clientSecretFile, what: "client secret")
        try layout.save()
        try SandboxSetup.link(layout.executableLink, to: executable)
    }

    private func cluster() throws -> EmbeddedCluster { try SandboxSetup.cluster(root: layout.postgresRoot, port: layout.postgresPort) }

    private func startDatabase() throws {
        let admin = try SandboxSetup.startCluster(try cluster(), port: layout.postgresPort)
        defer { admin.close() }
        if try admin.query("SELECT 1 FROM pg_database WHERE datname = 'app'").rows.isEmpty {
            try admin.query("CREATE DATABASE app")
        }
        let app = try PostgresConnection(conninfo: layout.appDatabaseURL)
        defer { app.close() }
        for statement in Self.appSchema { try app.query(statement) }
    }

    /// The tables the app writes and the shipped SOPs read.
    static let appSchema = [
        """
        CREATE TABLE IF NOT EXISTS jobs (id serial PRIMARY KEY, type text NOT NULL, status text NOT NULL,
            attempts int NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL DEFAULT now())
        """,
        """
        CREATE TABLE IF NOT EXISTS integration_requests (id bigserial PRIMARY KEY, provider text NOT NULL,
            status_code int NOT NULL, error_code text, created_at timestamptz NOT NULL DEFAULT now())
        """,
        "CREATE INDEX IF NOT EXISTS integration_requests_created ON integration_requests (created_at)",
        """
        CREATE TABLE IF NOT EXISTS http_requests (id bigserial PRIMARY KEY, direction text NOT NULL, status int NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now())
        """,
        "CREATE TABLE IF NOT EXISTS deployments (id serial PRIMARY KEY, component text NOT NULL, deployed_at timestamptz NOT NULL)",
    ]

    private func startRedis() throws {
        guard DetachedProcess.runningPid(in: layout.pidFile("redis")) == nil else { return }
        try Self.requireFreePort(layout.redisPort, for: "Redis")
        let pid = try DetachedProcess.spawn(["redis-server", "--port", "\(layout.redisPort)", "--bind", "127.0.0.1",
                                             "--dir", layout.redisDirectory, "--save", "", "--appendonly", "no",
                                             "--maxmemory", "32mb", "--maxmemory-policy", "noeviction"],
                                            log: layout.serviceLog("redis"))
        try write(pid, service: "redis")
        try Self.waitUntil("Redis on port \(layout.redisPort)", log: layout.serviceLog("redis")) {
            (try? RESPClient(url: layout.redisURL, deadline: .now + .seconds(1)).command(["PING"]))?.string == "PONG"
        }
    }

    private func startPrometheus() throws {
        guard DetachedProcess.runningPid(in: layout.pidFile("prometheus")) == nil else { return }
        try Self.requireFreePort(layout.prometheusPort, for: "Prometheus")
        let config = layout.root + "/prometheus.yml"
        try """
            global: {scrape_interval: 5s, evaluation_interval: 5s}
            scrape_configs:
              - job_name: app
                static_configs: [{targets: ["127.0.0.1:\(layout.appPort)"]}]
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let pid = try DetachedProcess.spawn(["prometheus", "--config.file=\(config)", "--storage.tsdb.path=\(layout.prometheusDirectory)",
                                             "--web.listen-address=127.0.0.1:\(layout.prometheusPort)",
                                             "--storage.tsdb.retention.time=1d"],
                                            log: layout.serviceLog("prometheus"))
        try write(pid, service: "prometheus")
        try Self.waitUntil("Prometheus on port \(layout.prometheusPort)", log: layout.serviceLog("prometheus")) {
            (try? HTTPClient().send(HTTPRequest(method: "GET", url: layout.prometheusURL + "/-/ready", timeout: .seconds(1))))?.status == 200
        }
    }

    private func startInbox() throws {
        guard DetachedProcess.runningPid(in: layout.pidFile("inbox")) == nil else { return }
        try Self.requireFreePort(layout.inboxPort, for: "notification inbox")
        try write(try DetachedProcess.spawn(layout.command("inbox"), log: layout.serviceLog("inbox")), service: "inbox")
        try Self.waitUntil("the notification inbox on port \(layout.inboxPort)", log: layout.serviceLog("inbox")) {
            (try? TCPSocket.connect(host: "127.0.0.1", port: layout.inboxPort, deadline: .now + .milliseconds(300)))
                .map { $0.close(); return true } ?? false
        }
    }

    /// The app's first access token, as a deployment's setup would store it.
    private func seedToken() throws {
        let token = IntegrationToken.issue(secret: try layout.clientSecret())
        _ = try FaultCatalogue.withRedis(layout) { try $0.command(["SET", SandboxLayout.tokenKey, token, "EX", "\(IntegrationToken.lifetime)"]) }
    }

    private func write(_ pid: pid_t, service: String) throws {
        try "\(pid)\n".write(toFile: layout.pidFile(service), atomically: true, encoding: .utf8)
    }

    static func requireFreePort(_ port: Int, for service: String) throws {
        if let socket = try? TCPSocket.connect(host: "127.0.0.1", port: port, deadline: .now + .milliseconds(300)) {
            socket.close()
            throw SandboxError("port \(port) (for the sandbox's \(service)) is in use by another program; stop it first")
        }
    }

    /// Polls `ready` every 100 ms for up to 30 s.
    static func waitUntil(_ what: String, log: String, timeout: Double = 30, _ ready: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if ready() { return }
            usleep(100_000)
        }
        throw SandboxError("\(what) did not come up within \(Int(timeout)) s; see \(log)")
    }
}
