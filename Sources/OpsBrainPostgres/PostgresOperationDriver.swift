import Foundation
import OpsBrainCore
import OpsBrainPlatform

/// Fix operations on PostgreSQL: terminating idle sessions and running configured statements.
///
/// Statements come from `statement` targets in the config, never from SOP files. A statement
/// that would change more rows than the step's `limit` is rolled back and refused. When a
/// statement returns `id` and `previous` and its target names `table` and `restore_column`,
/// the previous values are kept so the change can be rolled back.
public struct PostgresOperationDriver: OperationDriver {
    public var operations: Set<OperationType> { [.poolReset, .queueRetry, .quarantineRecords, .metricsBackfill] }

    public init() {}

    public func plan(_ operation: FixOperationSpec, context: StepContext) throws -> String {
        switch operation.operation {
        case .poolReset:
            let target = try context.target(operation.target, kinds: [.postgres])
            let filter = PoolFilter(operation)
            return "terminate sessions on '\(target.name)' with state '\(filter.state)' idle for over \(filter.idleSeconds)s"
                + (filter.applicationName.map { ", application_name ~ '\($0)'" } ?? "")
        case .metricsBackfill where operation.parameters["statement"] == nil:
            let target = try context.target(operation.parameters["target"]?.stringValue, kinds: [.command])
            return "run \((target.argv("argv") ?? []).joined(separator: " "))"
        default:
            let statement = try context.target(operation.parameters["statement"]?.stringValue, kinds: [.statement])
            let limit = operation.parameters["limit"]?.doubleValue.map { " (refused above \(Int($0)) rows)" } ?? ""
            return "run statement '\(statement.name)' on '\(statement.string("database") ?? "?")': \(statement.string("sql") ?? "")\(limit)"
        }
    }

    public func execute(_ operation: FixOperationSpec, context: StepContext) -> OperationOutcome {
        do {
            switch operation.operation {
            case .poolReset: return try resetPool(operation, context: context)
            case .metricsBackfill where operation.parameters["statement"] == nil: return try runCommand(operation, context: context)
            default: return try runStatement(operation, context: context)
            }
        } catch {
            return .failed("\(error)")
        }
    }

    public func rollback(_ operation: FixOperationSpec, undo: JSONValue, context: StepContext) -> OperationOutcome {
        do {
            let statement = try context.target(operation.parameters["statement"]?.stringValue, kinds: [.statement])
            guard let table = undo["table"]?.stringValue, let column = undo["column"]?.stringValue,
                  let rows = undo["rows"]?.arrayValue else { return .failed("nothing recorded to restore") }
            let ids = rows.compactMap { $0.arrayValue?.first?.stringValue }
            let previous = rows.map { $0.arrayValue?.last?.stringValue }
            let database = try context.target(statement.string("database"), kinds: [.postgres])
            let connection = try PostgresTargets.connect(database, context: context, timeout: operation.timeout)
            defer { connection.close() }
            let restored = try connection.query("""
                UPDATE \(quoteIdentifier(table)) AS t SET \(quoteIdentifier(column)) = v.previous
                FROM (SELECT unnest($1::text[]) AS id, unnest($2::text[]) AS previous) AS v
                WHERE t.id::text = v.id
                """, [PostgresArray(ids), PostgresArray(nullable: previous)])
            return OperationOutcome(succeeded: true, summary: "restored \(column) on \(restored.affectedRows) row(s) of \(table)",
                                    details: .object(["restored": .number(Double(restored.affectedRows))]))
        } catch {
            return .failed("rollback failed: \(error)")
        }
    }

    // MARK: Operations

    private func resetPool(_ operation: FixOperationSpec, context: StepContext) throws -> OperationOutcome {
        let target = try context.target(operation.target, kinds: [.postgres])
        let filter = PoolFilter(operation)
        let connection = try PostgresTargets.connect(target, context: context, timeout: operation.timeout)
        defer { connection.close() }
        let terminated = try connection.query("""
            SELECT pid, application_name, pg_terminate_backend(pid) AS done FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
              AND state = $1 AND state_change < now() - make_interval(secs => $2)
              AND ($3::text IS NULL OR application_name ~ $3)
            """, [filter.state, filter.idleSeconds, filter.applicationName]).rows
        let pids = terminated.filter { $0.bool("done") == true }.compactMap { $0.int("pid") }
        return OperationOutcome(succeeded: true, summary: "terminated \(pids.count) '\(filter.state)' session(s) on \(target.name)",
                                details: .object(["pids": .array(pids.map { .number(Double($0)) }),
                                                  "applications": .array(terminated.compactMap { $0.string("application_name") }.map(JSONValue.string))]))
    }

    private func runStatement(_ operation: FixOperationSpec, context: StepContext) throws -> OperationOutcome {
        let statement = try context.target(operation.parameters["statement"]?.stringValue, kinds: [.statement])
        guard let sql = statement.string("sql") else { throw StepFailure("statement '\(statement.name)' has no sql") }
        let database = try context.target(statement.string("database"), kinds: [.postgres])
        let limit = operation.parameters["limit"]?.doubleValue.map { Int($0) }
        let connection = try PostgresTargets.connect(database, context: context, timeout: operation.timeout)
        defer { connection.close() }
        let result = try connection.transaction { tx -> QueryResult in
            try tx.query("SELECT set_config('statement_timeout', $1, true)", [String(operation.timeout.milliseconds)])
            let result = try tx.query(sql)
            let changed = max(result.affectedRows, result.rows.count)
            if let limit, changed > limit {
                throw StepFailure("statement '\(statement.name)' would change \(changed) rows, more than the limit of \(limit): refused, nothing changed")
            }
            return result
        }
        let changed = max(result.affectedRows, result.rows.count)
        return OperationOutcome(succeeded: true, summary: "statement '\(statement.name)' changed \(changed) row(s)",
                                details: .object(["rows": .number(Double(changed)),
                                                  "ids": .array(result.rows.prefix(100).compactMap { $0.string("id") }.map(JSONValue.string))]),
                                undo: undo(for: result, statement: statement))
    }

    /// Previous values to restore, when the statement returned them (or changed nothing) and the target says where they go.
    private func undo(for result: QueryResult, statement: TargetDefinition) -> JSONValue? {
        guard let table = statement.string("table"), let column = statement.string("restore_column") else { return nil }
        if let first = result.first, !(first.columnNames.contains("id") && first.columnNames.contains("previous")) { return nil }
        let rows = result.rows.map { JSONValue.array([.string($0.string("id") ?? ""), $0.string("previous").map(JSONValue.string) ?? .null]) }
        return .object(["table": .string(table), "column": .string(column), "rows": .array(rows)])
    }

    private func runCommand(_ operation: FixOperationSpec, context: StepContext) throws -> OperationOutcome {
        let target = try context.target(operation.parameters["target"]?.stringValue, kinds: [.command])
        guard let argv = target.argv("argv"), !argv.isEmpty else { throw StepFailure("target '\(target.name)' has no argv") }
        let output = try ProcessRunner.run(argv, timeout: operation.timeout, outputLimit: 64 * 1024)
        if output.timedOut { return .failed("timed out after \(DurationSyntax.format(operation.timeout)): \(argv[0])") }
        return OperationOutcome(succeeded: output.exitCode == 0, summary: "\(argv[0]) exited with \(output.exitCode)",
                                details: .object(["exit_code": .number(Double(output.exitCode)),
                                                  "stdout": .string(String(output.stdout.suffix(2048)))]))
    }
}

/// Which sessions `pool_reset` terminates.
struct PoolFilter {
    var state: String
    var idleSeconds: Double
    var applicationName: String?

    init(_ operation: FixOperationSpec) {
        state = operation.parameters["state"]?.stringValue ?? "idle"
        idleSeconds = operation.parameters["idle_for"]?.stringValue.flatMap(DurationSyntax.parse)
            .map { Double($0.milliseconds) / 1000 } ?? 300
        applicationName = operation.parameters["application_name"]?.stringValue
    }
}
