import Foundation
import OpsBrainCore

/// Who else is watching: each open console's presence row (migration 0012), so that another
/// console can show "ana is viewing 3d9f2ef4" on that run.
///
/// A console beats every few seconds and whenever its view or selection changes; a row whose
/// heartbeat is older than 30 s (`opsbrain_presence_ttl()`) is stale, ignored by every read and
/// pruned by any console's beat. What others see changing is announced as
/// `pg_notify('opsbrain_presence', 'presence:<console id>')` (`channel`), not on `opsbrain_events`,
/// so that moving a selection wakes consoles only, not engines and notifiers.
public struct PresenceRepository {
    let connection: PostgresConnection

    /// The channel a console LISTENs on to hear that another console came, moved or left.
    public static let channel = "opsbrain_presence"
    /// How old the row's heartbeat may grow before an unchanged beat writes it again; well inside
    /// the 30 s after which a row is stale.
    public static let refreshAfter: Duration = .seconds(10)

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Says that `console` is open: run by `user` from `address`, showing `view`, with `subject`
    /// (an execution or alert id) selected. Returns whether it wrote.
    ///
    /// The write policy is built in, so callers may beat as often as they like: the row is written
    /// only when something others see changed (user, address, view, subject), when the row is
    /// missing (first beat, or pruned while the console was stopped), or when its heartbeat is
    /// older than `refreshAfter`; otherwise the beat is one read. Each beat also prunes other
    /// consoles' stale rows.
    @discardableResult
    public func beat(console: UUID, user: String, address: String?, view: String, subject: UUID?) throws -> Bool {
        try !connection.queryPrepared("""
            WITH pruned AS (
                DELETE FROM opsbrain_console_presence
                WHERE heartbeat_at < now() - opsbrain_presence_ttl() AND console_id <> $1::uuid)
            INSERT INTO opsbrain_console_presence AS p (console_id, user_name, address, view_name, subject_id)
            SELECT $1::uuid, $2::text, $3::text, $4::text, $5::uuid
            WHERE NOT EXISTS (
                SELECT 1 FROM opsbrain_console_presence c
                WHERE c.console_id = $1::uuid AND c.heartbeat_at >= now() - make_interval(secs => $6::double precision)
                  AND (c.user_name, c.address, c.view_name, c.subject_id) IS NOT DISTINCT FROM ($2::text, $3::text, $4::text, $5::uuid))
            ON CONFLICT (console_id) DO UPDATE SET user_name = EXCLUDED.user_name, address = EXCLUDED.address,
                view_name = EXCLUDED.view_name, subject_id = EXCLUDED.subject_id, heartbeat_at = now()
            RETURNING p.console_id
            """, [console, user, address, view, subject, Self.refreshAfter.asSeconds], repeating: .safeToRepeat).rows.isEmpty
    }

    /// The other consoles looking at `subject` now (an execution or alert id), by user name;
    /// `console`'s own row is left out.
    public func watchers(of subject: UUID, excluding console: UUID) throws -> [Watcher] {
        try connection.query("""
            SELECT console_id, user_name, address, view_name, heartbeat_at FROM opsbrain_console_presence
            WHERE subject_id = $1::uuid AND console_id <> $2::uuid AND heartbeat_at >= now() - opsbrain_presence_ttl()
            ORDER BY user_name, address NULLS LAST, console_id
            """, [subject, console], repeating: .safeToRepeat).rows.compactMap(Watcher.init(row:))
    }

    /// For every subject other consoles are looking at now, the names of the users looking, sorted
    /// and each once (a user with two consoles on one run is one name); `console`'s own row is left out.
    public func watchersBySubject(excluding console: UUID) throws -> [UUID: [String]] {
        let rows = try connection.query("""
            SELECT DISTINCT subject_id, user_name FROM opsbrain_console_presence
            WHERE subject_id IS NOT NULL AND console_id <> $1::uuid AND heartbeat_at >= now() - opsbrain_presence_ttl()
            ORDER BY subject_id, user_name
            """, [console], repeating: .safeToRepeat).rows
        var watchers: [UUID: [String]] = [:]
        for row in rows {
            guard let subject = row.uuid("subject_id"), let user = row.string("user_name") else { continue }
            watchers[subject, default: []].append(user)
        }
        return watchers
    }

    /// Removes `console`'s row (the console is closing); other consoles hear it at once.
    public func leave(console: UUID) throws {
        try connection.query("DELETE FROM opsbrain_console_presence WHERE console_id = $1::uuid", [console], repeating: .safeToRepeat)
    }
}

/// Another console looking at the same execution or alert.
public struct Watcher: Sendable, Equatable {
    public var console: UUID
    public var user: String
    /// The SSH client's address or the console's host, when the console said.
    public var address: String?
    /// The view the console shows (the console's view name).
    public var view: String
    /// The console's last written heartbeat (at most `PresenceRepository.refreshAfter` behind its last beat).
    public var lastBeat: Date

    public init(console: UUID, user: String, address: String?, view: String, lastBeat: Date) {
        self.console = console
        self.user = user
        self.address = address
        self.view = view
        self.lastBeat = lastBeat
    }

    init?(row: Row) {
        guard let console = row.uuid("console_id"), let user = row.string("user_name"), let view = row.string("view_name"),
              let lastBeat = row.date("heartbeat_at") else { return nil }
        self.init(console: console, user: user, address: row.string("address"), view: view, lastBeat: lastBeat)
    }
}
