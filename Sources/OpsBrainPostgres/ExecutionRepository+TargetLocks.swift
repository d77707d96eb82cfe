import Foundation

extension ExecutionRepository {
    /// Takes the fix lock of every target in `keys`, across engines, or none of them.
    ///
    /// The locks are PostgreSQL session advisory locks, so an engine that dies lets go of its locks
    /// with its connection. Keys are taken in sorted order; when one is held elsewhere, those taken
    /// are given back and the answer is false (the caller comes back later, it never waits).
    public func tryTargetLocks(_ keys: Set<String>) throws -> Bool {
        var taken: [String] = []
        for key in keys.sorted() {
            let held = try connection.query("SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS held",
                                            [Self.targetLockName(key)]).first?.bool("held") ?? false
            guard held else {
                try unlockTargets(Set(taken))
                return false
            }
            taken.append(key)
        }
        return true
    }

    /// Gives back the fix locks of `keys` that this connection holds.
    public func unlockTargets(_ keys: Set<String>) throws {
        for key in keys.sorted() {
            try connection.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [Self.targetLockName(key)])
        }
    }

    /// The lock's name space keeps target locks apart from the engine's other advisory locks.
    static func targetLockName(_ key: String) -> String { "opsbrain-target:" + key }
}
