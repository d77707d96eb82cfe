import Foundation

/// Where the stock profile lives and how its services are reached: stock nginx, six shop
/// instances, Redis, PostgreSQL, Prometheus and Alertmanager on fixed loopback ports, as the
/// profile's own config files (sandbox/stock/) name them.
public struct StockLayout: Sendable {
    /// The folder that holds every service's data, logs and pid files.
    public let root: String
    /// The folder of the profile's config files and the shop's code (sandbox/stock in the repo).
    public let files: String

    public init(root: String = StockLayout.defaultRoot, files: String = StockLayout.defaultFiles) {
        self.root = root
        self.files = files
    }

    public static let defaultRoot = "/tmp/opsbrain-stock"
    public static let defaultFiles = "sandbox/stock"

    public static let nginxPort = 28080
    public static let nginxStatusPort = 28081
    public static let nginxExporterPort = 29113
    public static let redisPort = 26379
    public static let postgresPort = 25432
    public static let prometheusPort = 29090
    public static let alertmanagerPort = 29093
    /// Where the engine listens for Alertmanager's webhook (sandbox/stock/opsbrain.yaml).
    public static let enginePort = 28900
    /// The shop's instances, as Prometheus labels them.
    public static let instances = (1...6).map { "shop-\($0)" }

    /// The port of a shop instance (`shop-3` → 28003).
    public static func port(of instance: String) -> Int? {
        guard let number = Int(instance.dropFirst("shop-".count)), instances.contains(instance) else { return nil }
        return 28000 + number
    }

    public var configFile: String { files + "/opsbrain.yaml" }
    public var shopDirectory: String { root + "/shop" }
    public var tempDirectory: String { shopDirectory + "/tmp" }
    public var logDirectory: String { shopDirectory + "/log" }
    public func shopLog(_ instance: String) -> String { logDirectory + "/\(instance).log" }
    public var serviceLogDirectory: String { root + "/logs" }
    public var runDirectory: String { root + "/run" }
    public var etcDirectory: String { root + "/etc" }
    public var nginxPrefix: String { root + "/nginx" }
    public var redisDirectory: String { root + "/redis" }
    public var prometheusDirectory: String { root + "/prometheus" }
    public var alertmanagerDirectory: String { root + "/alertmanager" }
    public var postgresRoot: String { root + "/postgres" }
    /// The bearer token Alertmanager sends and the engine checks (mode 0600).
    public var tokenFile: String { root + "/token" }
    /// A link to the sandbox executable: the shop instances' service argv run it.
    public var executableLink: String { root + "/bin/opsbrain-sandbox" }

    public func pidFile(_ service: String) -> String { runDirectory + "/\(service).pid" }
    public func serviceLog(_ service: String) -> String { serviceLogDirectory + "/\(service).log" }

    public var frontendURL: String { "http://127.0.0.1:\(Self.nginxPort)" }
    public func shopURL(_ instance: String) -> String { "http://127.0.0.1:\(Self.port(of: instance) ?? 0)" }
    public var redisURL: String { "redis://127.0.0.1:\(Self.redisPort)/0" }
    public var prometheusURL: String { "http://127.0.0.1:\(Self.prometheusPort)" }
    /// The shop's database, as the shop itself reaches it.
    public var shopDatabaseURL: String { "postgresql://shop@127.0.0.1:\(Self.postgresPort)/shop" }
    /// The same database as an administrator (the cluster's superuser).
    public var adminDatabaseURL: String { "postgresql://opsbrain@127.0.0.1:\(Self.postgresPort)/shop" }

    /// The token, read from its file.
    public func token() throws -> String {
        try SandboxSetup.readSecret(at: tokenFile, what: "webhook token", hint: "is the stock profile up? (opsbrain-sandbox up --profile stock)")
    }
}
