import Foundation
import OpsBrainCore
import OpsBrainPlatform

/// Runs `sql` diagnosis steps: one SELECT in a read-only transaction with a statement timeout.
public struct SQLStepRunner: StepRunner {
    public var stepTypes: Set<StepType> { [.sql] }

    public init() {}

    public func run(_ step: StepSpec, context: StepContext) -> StepResult {
        let start = ContinuousClock.now
        func elapsed() -> Int { Int(start.duration(to: .now).milliseconds) }
        do {
            let target = try context.target(step.target, kinds: [.postgres])
            guard let query = step.parameters["query"]?.stringValue else { throw StepFailure("step '\(step.id)' has no query") }
            let connection = try PostgresTargets.connect(target, context: context, timeout: step.timeout)
            defer { connection.close() }
            let parameters = (step.parameters["params"]?.arrayValue ?? []).map { $0.stringValue ?? $0.jsonText }
            let result = try connection.transaction { tx -> QueryResult in
                try tx.query("SET TRANSACTION READ ONLY")
                try tx.query("SELECT set_config('statement_timeout', $1, true)", [String(step.timeout.milliseconds)])
                return try tx.query(query, parameters)
            }
            var values: [String: JSONValue] = ["rows": .number(Double(result.rows.count))]
            if let first = result.first {
                for column in first.columnNames { values[column] = PostgresTargets.value(first.string(column)) }
            }
            return StepResult(values: values, durationMs: elapsed())
        } catch {
            return .failure("\(error)", durationMs: elapsed())
        }
    }
}

/// Connections to `postgres` targets and conversions of their text values.
enum PostgresTargets {
    /// Connects with a connect timeout no longer than the step's timeout.
    static func connect(_ target: TargetDefinition, context: StepContext, timeout: Duration) throws -> PostgresConnection {
        let url = try target.resolved("url", environment: context.environment)
        let seconds = max(2, Int(timeout.components.seconds))
        let separator = url.contains("?") ? "&" : (url.contains("://") ? "?" : " ")
        let conninfo = url.contains("://") ? url + separator + "connect_timeout=\(seconds)" : url + " connect_timeout=\(seconds)"
        do {
            return try PostgresConnection(conninfo: conninfo, applicationName: "opsbrain-runner")
        } catch let error as PostgresError {
            throw StepFailure("target '\(target.name)': \(error.message)")
        }
    }

    /// Text from PostgreSQL as a typed JSON value: numbers as numbers, t/f as booleans.
    static func value(_ text: String?) -> JSONValue {
        guard let text else { return .null }
        if let number = Double(text), !text.isEmpty, text.first != "+" { return .number(number) }
        if text == "t" { return .bool(true) }
        if text == "f" { return .bool(false) }
        return .string(text.count > 4096 ? String(text.prefix(4096)) : text)
    }
}
