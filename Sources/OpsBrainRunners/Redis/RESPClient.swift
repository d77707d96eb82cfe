import Foundation
import OpsBrainCore

/// A small blocking RESP2 client for one Redis connection, every call bounded by one deadline.
///
/// Connecting logs in (`AUTH`) when the URL has a password and selects the URL's database.
/// Error replies become `StepFailure`s naming the server and the command, never the password
/// or the command's arguments. Not thread-safe: use one client from one thread.
public final class RESPClient {
    /// The keys one `scan` found, and whether the iteration reached its end.
    public struct ScanResult: Sendable, Equatable {
        public var keys: [[UInt8]]
        /// False when `limit` stopped the scan before SCAN's cursor came back to 0.
        public var complete: Bool
    }

    /// Every read and write fails once this instant passes.
    public let deadline: ContinuousClock.Instant
    private let url: RedisURL
    private let socket: TCPSocket
    private let reader: RESPReader

    /// Connects to `url`, logs in and selects the database, all before `deadline`.
    public init(url: RedisURL, deadline: ContinuousClock.Instant) throws {
        self.url = url
        self.deadline = deadline
        socket = try TCPSocket.connect(host: url.host, port: url.port, deadline: deadline)
        reader = RESPReader(socket: socket)
        do {
            if let password = url.password {
                _ = try command(["AUTH"] + (url.username.map { [$0] } ?? []) + [password])
            }
            if url.database != 0 { _ = try command(["SELECT", String(url.database)]) }
        } catch {
            socket.close()
            throw error
        }
    }

    /// Parses a `redis://` URL and connects to it.
    public convenience init(url text: String, deadline: ContinuousClock.Instant) throws {
        try self.init(url: RedisURL.parse(text), deadline: deadline)
    }

    /// `host:port db N`, for messages.
    public var label: String { url.label }

    /// Runs one command of text arguments; an error reply throws.
    @discardableResult
    public func command(_ arguments: [String]) throws -> RESPValue {
        try command(bytes: arguments.map { Array($0.utf8) })
    }

    /// Runs one command of binary-safe arguments (keys, DUMP payloads); an error reply throws.
    @discardableResult
    public func command(bytes arguments: [[UInt8]]) throws -> RESPValue {
        let reply = try pipeline([arguments])[0]
        if let message = reply.errorMessage {
            throw failure("\(Self.name(of: arguments)): \(message)")
        }
        return reply
    }

    /// Sends `commands` in one write and reads their replies in order. Error replies are
    /// returned as `.error` values, not thrown, so the caller can judge each one.
    public func pipeline(_ commands: [[[UInt8]]]) throws -> [RESPValue] {
        var request: [UInt8] = []
        for arguments in commands { Self.encode(arguments, into: &request) }
        do {
            try socket.write(request, deadline: deadline)
            return try commands.map { _ in try reader.next(deadline: deadline) }
        } catch let failure as StepFailure {
            socket.close()
            throw StepFailure(redacted(failure.message))
        }
    }

    /// SCANs for keys matching `pattern` (`COUNT` per round trip) until the iteration ends or
    /// `limit` distinct keys are found.
    public func scan(match pattern: String, count: Int = 1000, limit: Int) throws -> ScanResult {
        var cursor = "0"
        var seen = Set<[UInt8]>()
        var keys: [[UInt8]] = []
        repeat {
            let reply = try command(["SCAN", cursor, "MATCH", pattern, "COUNT", String(count)])
            guard let parts = reply.elements, parts.count == 2, let next = parts[0].string,
                  let batch = parts[1].elements else { throw failure("SCAN: unexpected reply") }
            cursor = next
            for (index, item) in batch.enumerated() {
                guard let key = item.bytes else { throw failure("SCAN: unexpected key in reply") }
                guard seen.insert(key).inserted else { continue }
                keys.append(key)
                if keys.count >= limit {
                    return ScanResult(keys: keys, complete: cursor == "0" && index == batch.count - 1)
                }
            }
        } while cursor != "0"
        return ScanResult(keys: keys, complete: true)
    }

    /// Closes the connection.
    public func close() {
        socket.close()
    }

    /// A failure naming the server, with the password (if any) masked.
    public func failure(_ message: String) -> StepFailure {
        StepFailure(redacted("redis \(url.label): \(message)"))
    }

    private func redacted(_ text: String) -> String {
        guard let password = url.password, !password.isEmpty else { return text }
        return text.replacingOccurrences(of: password, with: "***")
    }

    /// The command's name for messages (never its arguments).
    private static func name(of arguments: [[UInt8]]) -> String {
        arguments.first.map { String(decoding: $0, as: UTF8.self).uppercased() } ?? "(empty command)"
    }

    /// Appends `arguments` as a RESP array of bulk strings.
    private static func encode(_ arguments: [[UInt8]], into out: inout [UInt8]) {
        out += Array("*\(arguments.count)\r\n".utf8)
        for argument in arguments {
            out += Array("$\(argument.count)\r\n".utf8)
            out += argument
            out += [13, 10]
        }
    }
}
