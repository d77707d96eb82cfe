import Foundation

/// Where the demo sandbox lives and how its services are reached: fixed paths under one folder and
/// fixed loopback ports, so `sandbox/opsbrain.yaml` can name them like a real deployment's config.
public struct SandboxLayout: Sendable, Codable {
    /// The folder that holds every service's data, logs and pid files.
    public let root: String
    public var appPort = 18080
    public var redisPort = 16379
    public var prometheusPort = 19090
    public var postgresPort = 15432
    /// The local Slack/Pushover/PagerDuty inbox.
    public var inboxPort = 18025

    /// The default layout is the one sandbox/opsbrain.yaml names; tests move the root and the ports.
    public init(root: String = SandboxLayout.defaultRoot) { self.root = root }

    public static let defaultRoot = "/tmp/opsbrain-sandbox"

    /// The layout `up` recorded in `root/layout.json`, else the default ports under `root`.
    public static func load(root: String = defaultRoot) -> SandboxLayout {
        guard let data = FileManager.default.contents(atPath: root + "/layout.json"),
              let saved = try? JSONDecoder().decode(SandboxLayout.self, from: data), saved.root == root else {
            return SandboxLayout(root: root)
        }
        return saved
    }

    /// Records the ports, so every sandbox process started with `--root` finds the same services.
    func save() throws {
        try JSONEncoder().encode(self).write(to: URL(fileURLWithPath: root + "/layout.json"))
    }

    /// The argv that runs one of the sandbox's own commands against this layout.
    public func command(_ arguments: String...) -> [String] {
        [executableLink] + arguments + ["--root", root]
    }

    /// The application's working folder: its temp directory and its log live below it.
    public var appDirectory: String { root + "/app" }
    public var tempDirectory: String { appDirectory + "/tmp" }
    public var logDirectory: String { appDirectory + "/log" }
    public var appLog: String { logDirectory + "/app.log" }
    /// Where each service's own stdout/stderr go.
    public var serviceLogDirectory: String { root + "/logs" }
    public var runDirectory: String { root + "/run" }
    public var redisDirectory: String { root + "/redis" }
    public var prometheusDirectory: String { root + "/prometheus" }
    public var postgresRoot: String { root + "/postgres" }
    /// The OAuth client secret the app's token endpoint accepts (mode 0600).
    public var clientSecretFile: String { root + "/client-secret" }
    /// A link to the sandbox executable, so the service target's argv stays the same for every build.
    public var executableLink: String { root + "/bin/opsbrain-sandbox" }

    public func pidFile(_ service: String) -> String { runDirectory + "/\(service).pid" }
    public func serviceLog(_ service: String) -> String { serviceLogDirectory + "/\(service).log" }

    public var appURL: String { "http://127.0.0.1:\(appPort)" }
    public var redisURL: String { "redis://127.0.0.1:\(redisPort)/0" }
    public var prometheusURL: String { "http://127.0.0.1:\(prometheusPort)" }
    /// The application's database, over TCP like a real app's.
    public var appDatabaseURL: String { "postgresql://opsbrain@127.0.0.1:\(postgresPort)/app" }

    /// The Redis key the app reads its integration access token from.
    public static let tokenKey = "tokens:integration"
    /// The API routes the app serves (and the simulated users call), each cached in Redis.
    public static let routes = ["orders", "customers", "invoices", "products", "search", "reports",
                                "inventory", "shipments", "payments", "accounts", "settings", "dashboard"]
    /// The application_name of the app's own database sessions.
    public static let appSessionName = "sandbox-app"

    /// The client secret, read from its file.
    public func clientSecret() throws -> String {
        try SandboxSetup.readSecret(at: clientSecretFile, what: "client secret", hint: "is the sandbox up? (opsbrain-sandbox up)")
    }
}

/// A sandbox failure, in one line that says what to do.
public struct SandboxError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
