import ArgumentParser
import Foundation
import Logging
import OpsBrainCore
import OpsBrainDocuments
import OpsBrainPostgres

/// Options every command that touches configuration or the database accepts.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("database-url"),
            help: "PostgreSQL URL (overrides DATABASE_URL, the config file and PG* variables).")
    var databaseURL: String?

    @Option(name: .customLong("config"),
            help: "Config file (default: $OPSBRAIN_CONFIG, ./opsbrain.yaml, then ~/.config/opsbrain/opsbrain.yaml).")
    var configPath: String?

    @Flag(name: .customLong("verbose"), help: "Log progress to standard error.")
    var verbose = false

    /// Sets up logging to standard error (warnings only unless --verbose or OPSBRAIN_LOG_LEVEL).
    func bootstrapLogging() {
        let environment = ProcessInfo.processInfo.environment
        let level = verbose ? .info : (environment["OPSBRAIN_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning)
        LoggingBootstrap.once(level: level)
    }

    /// Loads the config file, or the defaults when there is none.
    func loadConfig() throws -> OpsBrainConfig {
        try loadConfigIfPresent() ?? OpsBrainConfig()
    }

    /// Loads the config file, or nil when none is found.
    func loadConfigIfPresent() throws -> OpsBrainConfig? {
        guard let path = ConfigLocator.find(explicit: configPath) else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CLIError("cannot read config file \(path)")
        }
        return try ConfigParser.parse(text, path: path)
    }

    /// Where the database is.
    func databaseLocation(config: OpsBrainConfig) throws -> DatabaseLocation {
        try DatabaseLocation.resolve(flag: databaseURL, environment: ProcessInfo.processInfo.environment,
                                     config: config.database, makeEmbedded: { try EmbeddedCluster.defaultCluster() })
    }

    /// Connects (starting the embedded cluster when that is the location) and migrates.
    func openDatabase(config: OpsBrainConfig, applicationName: String = "opsbrain") throws -> PostgresConnection {
        let location = try databaseLocation(config: config)
        if case .embedded(let cluster) = location { try cluster.start() }
        let connection = try PostgresConnection(conninfo: location.conninfo, applicationName: applicationName)
        try Migrator().migrate(connection)
        return connection
    }
}

/// Finds the config file: explicit path, $OPSBRAIN_CONFIG, ./opsbrain.yaml, the user's config directory.
enum ConfigLocator {
    static func find(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let explicit { return explicit }
        if let path = environment["OPSBRAIN_CONFIG"], !path.isEmpty { return path }
        let local = FileManager.default.currentDirectoryPath + "/opsbrain.yaml"
        if FileManager.default.fileExists(atPath: local) { return local }
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        let user = base + "/opsbrain/opsbrain.yaml"
        return FileManager.default.fileExists(atPath: user) ? user : nil
    }
}

/// Installs the swift-log backend once per process.
enum LoggingBootstrap {
    nonisolated(unsafe) private static var done = false

    static func once(level: Logger.Level) {
        guard !done else { return }
        done = true
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
