/// An error from PostgreSQL or from talking to it, with the context a person needs.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The server could not be reached or the connection broke.
        case connection
        /// The server rejected a statement.
        case server
        /// A row did not hold what the caller expected.
        case decoding
    }

    public var kind: Kind
    public var message: String
    /// The five-character SQLSTATE, for server errors.
    public var sqlState: String?

    public init(kind: Kind, message: String, sqlState: String? = nil) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
    }

    public var description: String {
        if let sqlState { return "\(message) (SQLSTATE \(sqlState))" }
        return message
    }

    /// True for errors worth retrying after a reconnect (the connection, not the statement, failed).
    public var isConnectionLoss: Bool {
        kind == .connection || sqlState.map { $0.hasPrefix("08") || $0 == "57P01" || $0 == "57P02" || $0 == "57P03" } == true
    }
}

extension String {
    /// libpq messages span lines with tabs; fold them into one line.
    var foldedLibpqMessage: String {
        split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
    }
}
