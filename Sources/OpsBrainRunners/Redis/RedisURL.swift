import OpsBrainCore

/// Where a Redis server is and how to log in: `redis://[[user]:password@]host[:port][/db]`.
public struct RedisURL: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var database: Int
    /// An ACL user name (Redis 6+); nil logs in as the default user.
    public var username: String?
    public var password: String?

    public init(host: String, port: Int = 6379, database: Int = 0, username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.username = username
        self.password = password
    }

    /// Parses `text`; `context` (like "target 'app_cache'") prefixes any error. Errors never echo the URL.
    public static func parse(_ text: String, context: String = "redis URL") throws -> RedisURL {
        let url = try ServiceURL.parse(text, context: context)
        guard url.scheme == "redis" else {
            throw StepFailure("\(context): scheme \(url.scheme) is not supported (expected redis://)")
        }
        guard let database = url.path.isEmpty ? 0 : Int(url.path), database >= 0 else {
            throw StepFailure("\(context): the URL's path must be a database number (like /0)")
        }
        return RedisURL(host: url.host, port: url.port, database: database, username: url.user, password: url.password)
    }

    /// The URL of a redis target, resolving `url_env` from `environment`.
    public static func of(_ target: TargetDefinition, environment: [String: String]) throws -> RedisURL {
        try parse(target.resolved("url", environment: environment), context: "target '\(target.name)'")
    }

    /// `host:port db N`, for messages (never the password).
    public var label: String { "\(TCPSocket.label(host: host, port: port)) db \(database)" }
}
