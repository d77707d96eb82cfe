import CLibPQ
import Foundation
import Logging

/// A notification received on a LISTENed channel.
public struct PostgresNotification: Sendable, Equatable {
    public var channel: String
    public var payload: String
    public var backendPID: Int32
}

/// What a wait for notifications ended with.
public enum NotificationWait: Sendable, Equatable {
    case notifications([PostgresNotification])
    case timedOut
    /// The connection was lost and made again; LISTENs are restored, but anything sent in
    /// between is gone, so the caller must re-query the state it shows.
    case reconnected
}

/// Whether a statement may be sent again after its connection was lost.
public enum Repetition: Sendable {
    /// Sent at most once: a write, whose loss the caller's unit of work must see.
    case once
    /// Safe to send again on a fresh session: a read.
    case safeToRepeat
}

/// One libpq connection: parameterized queries, transactions, LISTEN/NOTIFY and reconnects.
///
/// A connection is used from one thread at a time; it is not `Sendable`.
public final class PostgresConnection {
    private var handle: OpaquePointer?
    /// The libpq handle, for the notification extension.
    var rawHandle: OpaquePointer? { handle }
    /// Statements prepared on this session, by SQL text (a session's prepared statements die with it).
    private var prepared: [String: String] = [:]
    /// Channels to LISTEN on again after a reconnect.
    var listeningChannels: [String] = []
    private var transactionDepth = 0
    private let logger = Logger(label: "opsbrain.postgres")
    /// The connection string or URL this connection was made from (may hold a password).
    private let conninfo: String
    /// Where the server is, for messages: host or socket directory, never credentials.
    public private(set) var serverDescription: String

    /// Connects to `conninfo` (a URL or `key=value` string; empty uses libpq's PG* variables).
    ///
    /// `connect_timeout` defaults to 5 s and `statement_timeout` to 60 s unless the string sets them.
    public init(conninfo: String, applicationName: String = "opsbrain") throws {
        self.conninfo = conninfo
        self.serverDescription = "PostgreSQL"
        handle = PostgresConnection.open(conninfo: conninfo, applicationName: applicationName)
        serverDescription = describeServer()
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = lastError
            PQfinish(handle)
            handle = nil
            throw PostgresError(kind: .connection, message: "cannot connect to \(serverDescription): \(message)")
        }
        try configureSession()
    }

    deinit { close() }

    /// Closes the connection; further use fails.
    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// The server process serving this connection.
    public var backendPID: Int32 { handle.map { PQbackendPID($0) } ?? 0 }

    private static func open(conninfo: String, applicationName: String) -> OpaquePointer? {
        // Keywords before `dbname` are defaults that the expanded connection string may override.
        let keywords = ["connect_timeout", "application_name", "options", "keepalives_idle",
                        "keepalives_interval", "keepalives_count", "dbname"]
        let values = ["5", applicationName, "-c statement_timeout=60000", "10", "5", "3", conninfo]
        let cKeywords = keywords.map { strdup($0) } + [nil]
        let cValues = values.map { strdup($0) } + [nil]
        defer { (cKeywords + cValues).forEach { free($0) } }
        return cKeywords.map { UnsafePointer($0) }.withUnsafeBufferPointer { keys in
            cValues.map { UnsafePointer($0) }.withUnsafeBufferPointer { vals in
                PQconnectdbParams(keys.baseAddress, vals.baseAddress, 1)
            }
        }
    }

    /// Host and port as libpq read them; either is `***` when a malformed URL made it of a piece of the password.
    private func describeServer() -> String {
        guard let handle, let host = PQhost(handle) else { return "PostgreSQL" }
        let hostText = ConnectionString.visible(String(cString: host), of: conninfo)
        let port = ConnectionString.visible(PQport(handle).map { String(cString: $0) } ?? "5432", of: conninfo)
        return hostText.hasPrefix("/") ? "PostgreSQL at socket \(hostText) (port \(port))"
                                       : "PostgreSQL at \(hostText):\(port)"
    }

    /// libpq's last message, scrubbed of the connection string's password (libpq may quote it).
    private var lastError: String {
        guard let handle, let text = PQerrorMessage(handle) else { return "unknown error" }
        let message = ConnectionString.scrubbed(String(cString: text).foldedLibpqMessage, conninfo: conninfo)
        return message.isEmpty ? "unknown error" : message
    }

    private func configureSession() throws {
        _ = try runQuery("SET TimeZone = 'UTC'", [])
        _ = try runQuery("SET DateStyle = 'ISO, YMD'", [])
        _ = try runQuery("SET client_min_messages = 'warning'", [])
    }

    // MARK: Queries

    /// Runs one statement with `$1...` parameters sent separately from the SQL text.
    ///
    /// A statement is sent at most once unless it is marked `.safeToRepeat`: when the connection
    /// is lost on the way, nobody knows whether the server ran it, so a write reports the loss to
    /// its caller. A connection already known to be broken is made again before anything is sent.
    @discardableResult
    public func query(_ sql: String, _ parameters: [(any PostgresEncodable)?] = [], repeating: Repetition = .once) throws -> QueryResult {
        try sending(repeating) { try runQuery(sql, parameters) }
    }

    /// Like `query`, but the statement is prepared once per session and then only executed: for hot
    /// paths that run the same SQL many times (intake inserts).
    @discardableResult
    public func queryPrepared(_ sql: String, _ parameters: [(any PostgresEncodable)?], repeating: Repetition = .once) throws -> QueryResult {
        try sending(repeating) { try runPrepared(sql, parameters) }
    }

    /// Sends once; again on a fresh session only when the statement is safe to repeat and no transaction is open.
    private func sending<T>(_ repetition: Repetition, _ send: () throws -> T) throws -> T {
        if transactionDepth == 0, let handle, PQstatus(handle) != CONNECTION_OK { try reconnect() }
        do {
            return try send()
        } catch let error as PostgresError where error.isConnectionLoss && transactionDepth == 0 && repetition == .safeToRepeat {
            logger.warning("connection lost, reconnecting to repeat a read", metadata: ["server": "\(serverDescription)"])
            try reconnect()
            return try send()
        }
    }

    private func runPrepared(_ sql: String, _ parameters: [(any PostgresEncodable)?]) throws -> QueryResult {
        try ensureOpen()
        let name: String
        if let existing = prepared[sql] {
            name = existing
        } else {
            name = "opsbrain_\(prepared.count + 1)"
            guard let result = PQprepare(handle, name, sql, Int32(parameters.count), nil) else { throw connectionError() }
            defer { PQclear(result) }
            try check(result)
            prepared[sql] = name
        }
        let result = Self.withCValues(parameters) { count, values in PQexecPrepared(handle, name, count, values, nil, nil, 0) }
        guard let result else { throw connectionError() }
        defer { PQclear(result) }
        try check(result)
        return read(result)
    }

    /// Runs a script of several statements with no parameters (trusted SQL such as migrations).
    public func executeScript(_ sql: String) throws {
        try ensureOpen()
        guard let result = PQexec(handle, sql) else { throw connectionError() }
        defer { PQclear(result) }
        try check(result)
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        try query("BEGIN", repeating: .safeToRepeat)
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        do {
            let value = try body(self)
            try runQuery("COMMIT", [])
            return value
        } catch {
            _ = try? runQuery("ROLLBACK", [])
            throw error
        }
    }

    private func ensureOpen() throws {
        guard handle != nil else {
            throw PostgresError(kind: .connection, message: "connection to \(serverDescription) is closed")
        }
    }

    @discardableResult
    private func runQuery(_ sql: String, _ parameters: [(any PostgresEncodable)?]) throws -> QueryResult {
        try ensureOpen()
        let result = Self.withCValues(parameters) { count, values in PQexecParams(handle, sql, count, nil, values, nil, nil, 0) }
        guard let result else { throw connectionError() }
        defer { PQclear(result) }
        try check(result)
        return read(result)
    }

    /// Calls `body` with the parameters as C strings in PostgreSQL's text format (NULL for nil).
    private static func withCValues(_ parameters: [(any PostgresEncodable)?],
                                    _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> OpaquePointer?) -> OpaquePointer? {
        let cValues = parameters.map { $0.map { strdup($0.postgresText) } ?? nil }
        defer { cValues.forEach { free($0) } }
        return cValues.map { UnsafePointer($0) }.withUnsafeBufferPointer { body(Int32(cValues.count), $0.baseAddress) }
    }

    private func connectionError() -> PostgresError {
        PostgresError(kind: .connection, message: "lost connection to \(serverDescription): \(lastError)")
    }

    private func check(_ result: OpaquePointer) throws {
        let status = PQresultStatus(result)
        guard status != PGRES_COMMAND_OK, status != PGRES_TUPLES_OK, status != PGRES_EMPTY_QUERY else { return }
        if PQstatus(handle) != CONNECTION_OK { throw connectionError() }
        let field = { (code: Character) -> String? in
            PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
        }
        let message = field("M") ?? String(cString: PQresultErrorMessage(result)).foldedLibpqMessage
        let detail = field("D").map { " (\($0))" } ?? ""
        throw PostgresError(kind: .server, message: message + detail, sqlState: field("C"))
    }

    private func read(_ result: OpaquePointer) -> QueryResult {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var columns: [String: Int] = [:]
        for column in 0..<columnCount {
            columns[String(cString: PQfname(result, Int32(column)))] = column
        }
        var rows: [Row] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(result, Int32(row), Int32(column))))
                }
            }
            rows.append(Row(columns: columns, values: values))
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return QueryResult(rows: rows, affectedRows: affected)
    }

    // MARK: Reconnecting

    /// True when the connection is up.
    public var isConnected: Bool { handle.map { PQstatus($0) == CONNECTION_OK } ?? false }

    /// Makes the connection again (PQreset) and restores the session settings and LISTENs.
    public func reconnect() throws {
        try ensureOpen()
        PQreset(handle)
        prepared = [:]
        guard PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(kind: .connection, message: "cannot reconnect to \(serverDescription): \(lastError)")
        }
        try configureSession()
        for channel in listeningChannels {
            _ = try runQuery("LISTEN \(quoteIdentifier(channel))", [])
        }
        logger.info("reconnected", metadata: ["server": "\(serverDescription)"])
    }
}
