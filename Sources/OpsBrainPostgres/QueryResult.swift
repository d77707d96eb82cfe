import Foundation
import OpsBrainCore

/// One row of a result, read by column name.
public struct Row: Sendable {
    let columns: [String: Int]
    let values: [String?]

    /// The raw text of `column`, or nil for SQL NULL or an unknown column.
    public func string(_ column: String) -> String? {
        guard let index = columns[column] else { return nil }
        return values[index]
    }

    public func int(_ column: String) -> Int? { string(column).flatMap { Int($0) } }
    public func double(_ column: String) -> Double? { string(column).flatMap { Double($0) } }
    public func bool(_ column: String) -> Bool? { string(column).map { $0 == "t" || $0 == "true" } }
    public func uuid(_ column: String) -> UUID? { string(column).flatMap { UUID(uuidString: $0) } }
    public func date(_ column: String) -> Date? { string(column).flatMap(PostgresTimestamp.parse) }

    /// Parses a json/jsonb column.
    public func json(_ column: String) -> JSONValue? {
        string(column).flatMap { try? JSONValue(parsing: $0) }
    }

    /// Like `string`, but a missing value is an error naming the column.
    public func required(_ column: String) throws -> String {
        guard let value = string(column) else {
            throw PostgresError(kind: .decoding, message: "column \(column) is NULL or missing")
        }
        return value
    }

    /// The column names in result order.
    public var columnNames: [String] { columns.sorted { $0.value < $1.value }.map(\.key) }
}

/// The rows a statement returned and how many rows it changed.
public struct QueryResult: Sendable {
    public var rows: [Row]
    public var affectedRows: Int

    public var first: Row? { rows.first }
}
