import OpsBrainCore

/// Carries out the Redis fix operations: `cache_clear` and `rate_limit_reset` (delete the keys
/// matching a pattern, each snapshotted first so it can be restored) and `feature_flag` (set a
/// key, remembering its previous value).
public struct RedisOperationDriver: OperationDriver {
    /// Keys deleted per round of a clear when the operation gives no `max_keys`.
    static let defaultMaxKeys = 10_000
    /// Snapshots are kept in `undo` only while they stay this small.
    static let snapshotLimit = 8 * 1024 * 1024
    /// Keys snapshotted and deleted per round trip.
    static let batchSize = 100

    /// The part of an operation's time kept for counting what remains after the clear.
    static func countReserve(_ timeout: Duration) -> Duration { min(timeout / 4, .seconds(5)) }

    public init() {}

    public var operations: Set<OperationType> { [.cacheClear, .rateLimitReset, .featureFlag] }

    /// What `execute` would send, naming the server (never its password).
    public func plan(_ operation: FixOperationSpec, context: StepContext) throws -> String {
        let (target, url) = try Self.server(for: operation, context: context)
        let server = "redis '\(target.name)' (\(url.label))"
        switch operation.operation {
        case .cacheClear, .rateLimitReset:
            let pattern = try Self.pattern(of: operation)
            let maxKeys = Self.maxKeys(of: operation)
            return "On \(server), in rounds until no key matches or the time budget runs out: SCAN MATCH \(pattern) COUNT 1000 "
                + "for at most \(maxKeys) keys; then, in MULTI/EXEC batches of \(Self.batchSize), DUMP + PTTL + UNLINK (DEL "
                + "without UNLINK) each key; the snapshots are kept for rollback (RESTORE key ttl payload REPLACE) while they "
                + "total at most 8 MiB; it succeeds only when no key matches"
        case .featureFlag:
            let (key, value) = try Self.flag(of: operation)
            return "On \(server): GET \(key) (kept for rollback), then SET \(key) \(value)"
        default:
            throw StepFailure("the redis driver does not handle \(operation.operation.rawValue)")
        }
    }

    /// Runs the operation within its timeout; failures become a failed outcome naming the step.
    public func execute(_ operation: FixOperationSpec, context: StepContext) -> OperationOutcome {
        Self.reporting(operation) {
            let (target, url) = try Self.server(for: operation, context: context)
            let deadline = ContinuousClock.now + operation.timeout
            return try RedisRunners.onTarget(target) {
                switch operation.operation {
                case .cacheClear, .rateLimitReset:
                    let pattern = try Self.pattern(of: operation)
                    let client = try RESPClient(url: url, deadline: deadline)
                    defer { client.close() }
                    return try Self.clearKeys(matching: pattern, roundSize: Self.maxKeys(of: operation),
                                              until: deadline - Self.countReserve(operation.timeout), client: client, targetName: target.name)
                case .featureFlag:
                    let (key, value) = try Self.flag(of: operation)
                    let client = try RESPClient(url: url, deadline: deadline)
                    defer { client.close() }
                    return try Self.setFlag(key, to: value, client: client, targetName: target.name)
                default:
                    throw StepFailure("the redis driver does not handle \(operation.operation.rawValue)")
                }
            }
        }
    }

    /// Restores the deleted keys (RESTORE ... REPLACE) or the flag's previous value from `undo`.
    public func rollback(_ operation: FixOperationSpec, undo: JSONValue, context: StepContext) -> OperationOutcome {
        Self.reporting(operation) {
            let (target, url) = try Self.server(for: operation, context: context)
            let deadline = ContinuousClock.now + operation.timeout
            return try RedisRunners.onTarget(target) {
                let client = try RESPClient(url: url, deadline: deadline)
                defer { client.close() }
                switch operation.operation {
                case .cacheClear, .rateLimitReset:
                    return try Self.restoreKeys(undo: undo, client: client, targetName: target.name)
                case .featureFlag:
                    return try Self.restoreFlag(undo: undo, client: client, targetName: target.name)
                default:
                    throw StepFailure("the redis driver does not handle \(operation.operation.rawValue)")
                }
            }
        }
    }

    /// Runs `body`, turning a thrown error into a failed outcome naming the step.
    private static func reporting(_ operation: FixOperationSpec, _ body: () throws -> OperationOutcome) -> OperationOutcome {
        do {
            return try body()
        } catch {
            return .failed("step '\(operation.id)' (\(operation.operation.rawValue)): \(error)")
        }
    }

    /// The operation's redis target and its parsed URL.
    private static func server(for operation: FixOperationSpec, context: StepContext) throws -> (TargetDefinition, RedisURL) {
        let target = try context.target(operation.target, kinds: [.redis])
        return (target, try RedisURL.of(target, environment: context.environment))
    }

    /// The key pattern to clear; a pattern of only `*` (every key) is refused.
    static func pattern(of operation: FixOperationSpec) throws -> String {
        guard let pattern = operation.parameters["pattern"]?.stringValue, !pattern.isEmpty else {
            throw StepFailure("\(operation.operation.rawValue) needs a key pattern")
        }
        guard pattern.contains(where: { $0 != "*" }) else {
            throw StepFailure("refusing to clear every key: pattern '\(pattern)' matches all keys; name a prefix like 'cache:*'")
        }
        return pattern
    }

    private static func maxKeys(of operation: FixOperationSpec) -> Int {
        operation.parameters["max_keys"]?.doubleValue.map { max(1, Int($0)) } ?? defaultMaxKeys
    }

    private static func flag(of operation: FixOperationSpec) throws -> (key: String, value: String) {
        guard let key = operation.parameters["key"]?.stringValue, !key.isEmpty else {
            throw StepFailure("feature_flag needs a key")
        }
        guard let value = operation.parameters["value"]?.stringValue else {
            throw StepFailure("feature_flag needs a value")
        }
        return (key, value)
    }
}
