/// A diagnosis or verification step: a read-only check with the result a healthy system gives.
public struct StepSpec: Sendable, Equatable {
    public var id: String
    public var name: String
    public var type: StepType
    public var timeout: Duration
    /// Healthy values, by the name of the value the step yields.
    public var expect: [String: Expectation]
    /// The step's own parameters, validated against `StepType.parameters`.
    public var parameters: [String: JSONValue]
    /// What the step reads as where a deployment skips it (the SOP's `if_skipped`); nil when it
    /// cannot be skipped. Only diagnosis steps declare one: verification is never skipped.
    public var skipResult: [String: JSONValue]?
    /// This deployment skips the step (`sop_parameters.skip_steps`): it is not run, it reads as
    /// `skipResult`, and its target is not needed.
    public var skippedHere = false

    public init(id: String, name: String, type: StepType, timeout: Duration = .seconds(10),
                expect: [String: Expectation] = [:], parameters: [String: JSONValue] = [:], skipResult: [String: JSONValue]? = nil) {
        self.id = id
        self.name = name
        self.type = type
        self.timeout = timeout
        self.expect = expect
        self.parameters = parameters
        self.skipResult = skipResult
    }

    /// The named target, when the step acts on one.
    public var target: String? { parameters["target"]?.stringValue }
}

/// The closed set of check types.
public enum StepType: String, Sendable, CaseIterable, Codable {
    case http, tcp, sql, command
    case diskUsage = "disk_usage"
    case fileStat = "file_stat"
    case tlsExpiry = "tls_expiry"
    case metric, redis
    case rerunAlertCheck = "rerun_alert_check"
    case wait

    /// A metric step's key: over this window, service restarts Ops Brain made on the execution's
    /// instance are taken off the measured value (starts it caused are not a crash loop).
    public static let discountOwnRestarts = "discount_own_restarts"

    /// The parameters this type takes.
    public var parameters: [ParameterSpec] {
        switch self {
        case .http:
            return [.target([.http, .prometheus, .alertmanager, .token], required: true), .string("path"),
                    .choice("method", ["GET", "HEAD", "POST"]), .any("body")]
        case .tcp: return [.target([.tcp, .tls, .http, .postgres, .redis], required: true)]
        case .sql: return [.target([.postgres], required: true), .string("query", required: true), .any("params")]
        case .command: return [.stringList("argv"), .target([.command], required: false)]
        case .diskUsage: return [.target([.path], required: true)]
        case .fileStat: return [.target([.path], required: true), .string("pattern")]
        case .tlsExpiry: return [.target([.tls, .http], required: true)]
        case .metric:
            return [.target([.prometheus], required: true), .string("query", required: true), .duration(Self.discountOwnRestarts)]
        case .redis:
            return [.target([.redis], required: true), .choice("check", ["ping", "info_memory", "scan_count", "get"], required: true),
                    .string("pattern"), .string("key")]
        case .rerunAlertCheck: return []
        case .wait: return [.duration("duration", required: true)]
        }
    }

    /// The values a run of this type yields (`nil`: any name, such as SQL column aliases).
    public var yields: Set<String>? {
        switch self {
        case .http: return ["status", "latency_ms", "body"]
        case .tcp: return ["connected", "latency_ms"]
        case .sql: return nil
        case .command: return ["exit_code", "stdout", "stderr"]
        case .diskUsage: return ["used_percent", "free_bytes", "total_bytes"]
        case .fileStat: return ["exists", "size_bytes", "file_count", "age_seconds"]
        case .tlsExpiry: return ["days_left", "subject", "issuer"]
        case .metric: return ["value", "measured", "own_restarts"]
        case .redis: return ["ok", "used_memory", "maxmemory", "used_percent", "count", "value"]
        case .rerunAlertCheck: return ["ok"]
        case .wait: return []
        }
    }
}

/// What a healthy value looks like: every comparison must hold.
public struct Expectation: Sendable, Equatable {
    public var comparisons: [Comparison]

    public init(_ comparisons: [Comparison]) { self.comparisons = comparisons }
}

/// One comparison of a step's value with a literal.
public enum Comparison: Sendable, Equatable {
    case eq(JSONValue), ne(JSONValue)
    case lt(Double), lte(Double), gt(Double), gte(Double)
    case contains(String)
    case matches(String)
    case oneOf([JSONValue])

    /// The operator names the file format accepts.
    public static let operatorNames: Set<String> = ["eq", "ne", "lt", "lte", "gt", "gte", "contains", "matches", "in"]
}

extension Expectation {
    /// The expectation as a person reads it next to the value: `= 0`, `< 500`, `≥ 200 and < 400`.
    public var text: String { comparisons.map(\.text).joined(separator: " and ") }
}

extension Comparison {
    /// One comparison as its operator and literal: `≥ 1`, `≠ "down"`, `contains "ok"`.
    public var text: String {
        switch self {
        case .eq(let value): return "= " + value.jsonText
        case .ne(let value): return "≠ " + value.jsonText
        case .lt(let bound): return "< " + JSONValue.format(number: bound)
        case .lte(let bound): return "≤ " + JSONValue.format(number: bound)
        case .gt(let bound): return "> " + JSONValue.format(number: bound)
        case .gte(let bound): return "≥ " + JSONValue.format(number: bound)
        case .contains(let text): return "contains " + JSONValue.string(text).jsonText
        case .matches(let pattern): return "matches /\(pattern)/"
        case .oneOf(let options): return "one of " + options.map(\.jsonText).joined(separator: ", ")
        }
    }
}

extension StepSpec {
    /// What a step run is recorded with besides its values: the check's name, and each expectation
    /// with whether the value met it, `{"failed": {"expected": "= 0", "holds": false}}` (a value
    /// the step did not yield does not hold).
    public func expectationRecord(for values: [String: JSONValue]) -> [String: JSONValue] {
        var record: [String: JSONValue] = ["name": .string(name)]
        guard !expect.isEmpty else { return record }
        record["expect"] = .object(Dictionary(uniqueKeysWithValues: expect.map { valueName, expectation in
            (valueName, .object(["expected": .string(expectation.text),
                                 "holds": .bool(values[valueName].map(expectation.holds(for:)) ?? false)]))
        }))
        return record
    }
}
