import OpsBrainCore
import OpsBrainPlatform

/// Runs `redis` steps against a redis target: `ping`, `info_memory`, `scan_count` and `get`.
public struct RedisStepRunner: StepRunner {
    /// The most bytes of a value `get` keeps.
    static let valueLimit = 4096
    /// `scan_count` stops counting here (the count then says "at least this many").
    static let scanCountLimit = 1_000_000

    public init() {}

    public var stepTypes: Set<StepType> { [.redis] }

    /// Connects to the step's target within the step's timeout and runs its `check`.
    public func run(_ step: StepSpec, context: StepContext) -> StepResult {
        let started = ContinuousClock.now
        func elapsed() -> Int { Int(started.duration(to: .now).milliseconds) }
        do {
            let target = try context.target(step.target, kinds: [.redis])
            let check = try Self.check(of: step)
            let url = try RedisURL.of(target, environment: context.environment)
            let values = try RedisRunners.onTarget(target) {
                let client = try RESPClient(url: url, deadline: started + step.timeout)
                defer { client.close() }
                return try Self.run(check, client: client)
            }
            return StepResult(values: values, durationMs: elapsed())
        } catch {
            return .failure("step '\(step.id)': \(error)", durationMs: elapsed())
        }
    }

    /// What a redis step asks, with the parameters its check needs.
    private enum Check {
        case ping, infoMemory
        case scanCount(pattern: String)
        case get(key: String)
    }

    /// The step's check, validated before anything connects.
    private static func check(of step: StepSpec) throws -> Check {
        switch step.parameters["check"]?.stringValue {
        case "ping": return .ping
        case "info_memory": return .infoMemory
        case "scan_count": return .scanCount(pattern: step.parameters["pattern"]?.stringValue ?? "*")
        case "get":
            guard let key = step.parameters["key"]?.stringValue else { throw StepFailure("check get needs a key") }
            return .get(key: key)
        case let other?:
            throw StepFailure("unknown redis check '\(other)' (expected ping, info_memory, scan_count or get)")
        case nil:
            throw StepFailure("a redis step needs a check (ping, info_memory, scan_count or get)")
        }
    }

    private static func run(_ check: Check, client: RESPClient) throws -> [String: JSONValue] {
        switch check {
        case .ping:
            let reply = try client.command(["PING"])
            return ["ok": .bool(reply.string == "PONG")]
        case .infoMemory:
            return try memory(client)
        case .scanCount(let pattern):
            let scan = try client.scan(match: pattern, limit: scanCountLimit)
            return ["count": .number(Double(scan.keys.count))]
        case .get(let key):
            let reply = try client.command(["GET", key])
            return ["value": reply.bytes.map { .string(excerpt($0)) } ?? .null]
        }
    }

    /// `used_memory`, `maxmemory` and `used_percent` (0 when no maxmemory is set) from INFO memory.
    private static func memory(_ client: RESPClient) throws -> [String: JSONValue] {
        guard let text = try client.command(["INFO", "memory"]).string else {
            throw client.failure("INFO memory: unexpected reply")
        }
        let fields = infoFields(text)
        guard let used = fields["used_memory"].flatMap(Double.init), let limit = fields["maxmemory"].flatMap(Double.init) else {
            throw client.failure("INFO memory has no used_memory or maxmemory")
        }
        let percent = limit > 0 ? (used / limit * 10_000).rounded() / 100 : 0
        return ["used_memory": .number(used), "maxmemory": .number(limit), "used_percent": .number(percent)]
    }

    /// The `name:value` lines of an INFO reply.
    static func infoFields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return fields
    }

    /// At most `valueLimit` bytes of `bytes` as text, cut before a partial UTF-8 character.
    static func excerpt(_ bytes: [UInt8]) -> String {
        guard bytes.count > valueLimit else { return String(decoding: bytes, as: UTF8.self) }
        var end = valueLimit
        while end > 0, bytes[end] & 0xC0 == 0x80 { end -= 1 }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}
