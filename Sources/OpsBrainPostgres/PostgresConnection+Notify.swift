import CLibPQ
import Foundation

extension PostgresConnection {
    /// Starts listening on `channel`; kept across reconnects.
    public func listen(_ channel: String) throws {
        try query("LISTEN \(quoteIdentifier(channel))")
        if !listeningChannels.contains(channel) { listeningChannels.append(channel) }
    }

    /// Sends a notification (delivered to listeners when the current transaction commits).
    public func notify(_ channel: String, payload: String) throws {
        try query("SELECT pg_notify($1, $2)", [channel, payload])
    }

    /// The socket to include in a caller's own `poll()` set, or -1 when closed.
    public var socketDescriptor: Int32 { rawHandle.map { PQsocket($0) } ?? -1 }

    /// Waits up to `timeout` for notifications, sleeping in `poll()` on the connection's socket.
    ///
    /// A broken connection is made again and reported as `.reconnected`.
    public func waitForNotifications(timeout: Duration) throws -> NotificationWait {
        let pending = try drainNotifications()
        if !pending.isEmpty { return .notifications(pending) }
        var descriptor = pollfd(fd: socketDescriptor, events: Int16(POLLIN), revents: 0)
        let millis = Int32(clamping: max(0, timeout.components.seconds * 1000
                                              + timeout.components.attoseconds / 1_000_000_000_000_000))
        let ready = poll(&descriptor, 1, millis)
        if ready == 0 { return .timedOut }
        if ready < 0 { return errno == EINTR ? .timedOut : try recover() }
        guard PQconsumeInput(rawHandle) == 1, isConnected else { return try recover() }
        let received = try drainNotifications()
        return received.isEmpty ? .timedOut : .notifications(received)
    }

    /// Reads every notification libpq has already received.
    public func drainNotifications() throws -> [PostgresNotification] {
        guard let handle = rawHandle else { return [] }
        var received: [PostgresNotification] = []
        while let note = PQnotifies(handle) {
            received.append(PostgresNotification(
                channel: String(cString: note.pointee.relname),
                payload: String(cString: note.pointee.extra),
                backendPID: note.pointee.be_pid))
            PQfreemem(note)
        }
        return received
    }

    private func recover() throws -> NotificationWait {
        try reconnect()
        return .reconnected
    }
}

/// Quotes an SQL identifier (for LISTEN, which takes no parameters).
func quoteIdentifier(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
