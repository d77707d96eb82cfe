import Foundation
import OpsBrainCore

/// Where the database is, decided from the command line, the environment and the config file.
///
/// Precedence: `--database-url`, then `DATABASE_URL`, then the config file's `database`,
/// then libpq's own `PG*` variables, and with none of them the embedded default cluster.
public enum DatabaseLocation: Sendable {
    case url(String, source: String)
    /// libpq reads PGHOST, PGDATABASE, ... itself.
    case libpqEnvironment
    case embedded(EmbeddedCluster)

    /// Chooses the location; `makeEmbedded` is only called when nothing else is configured.
    public static func resolve(
        flag: String?,
        environment: [String: String],
        config: DatabaseConfig,
        makeEmbedded: () throws -> EmbeddedCluster
    ) throws -> DatabaseLocation {
        if let flag, !flag.isEmpty { return .url(flag, source: "--database-url") }
        if let url = environment["DATABASE_URL"], !url.isEmpty { return .url(url, source: "DATABASE_URL") }
        if let url = config.url, !url.isEmpty { return .url(url, source: "config database.url") }
        if let name = config.urlEnv {
            guard let url = environment[name], !url.isEmpty else {
                throw PostgresError(kind: .connection,
                                    message: "config database.url_env names \(name), which is not set")
            }
            return .url(url, source: name)
        }
        let libpqKeys = ["PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGSERVICE"]
        if libpqKeys.contains(where: { environment[$0].map { !$0.isEmpty } ?? false }) { return .libpqEnvironment }
        return .embedded(try makeEmbedded())
    }

    /// The libpq connection string (empty for the PG* environment).
    public var conninfo: String {
        switch self {
        case .url(let url, _): return url
        case .libpqEnvironment: return ""
        case .embedded(let cluster): return cluster.connectionURL
        }
    }

    /// A human description, with any password hidden.
    public var summary: String {
        switch self {
        case .url(let url, let source): return "\(ConnectionString.redacted(url)) (from \(source))"
        case .libpqEnvironment: return "libpq PG* environment variables"
        case .embedded(let cluster): return "embedded cluster in \(cluster.root)"
        }
    }
}
