import OpsBrainCore

/// `cache_clear` and `rate_limit_reset`: snapshot-then-delete of matching keys, in rounds until none
/// is left or the time budget runs out, and their restore.
extension RedisOperationDriver {
    /// What a clear has done so far.
    private struct ClearProgress {
        var deleted = 0
        /// Nil once the snapshots outgrew `snapshotLimit` (the clear then cannot be rolled back).
        var snapshots: [RedisKeySnapshot]? = []
        var snapshotBytes = 0
        var rounds = 0
        /// The first keys seen, for the audit trail.
        var sample: [[UInt8]] = []

        mutating func keep(_ taken: [RedisKeySnapshot]) {
            snapshotBytes += taken.reduce(0) { $0 + $1.undoSize }
            if snapshotBytes > RedisOperationDriver.snapshotLimit { snapshots = nil }
            snapshots? += taken
        }

        var undo: JSONValue? { snapshots.map { .object(["keys": .array($0.map(\.json))]) } }
    }

    /// The most keys counted after a clear to report what remains.
    static let remainingCountLimit = 10_000

    /// Deletes the keys matching `pattern` in rounds of at most `roundSize` until none matches or
    /// `budget` is reached, snapshotting each key first (one MULTI/EXEC per batch, so a snapshot is
    /// exactly what was deleted). It succeeds only when no key matches any more.
    static func clearKeys(matching pattern: String, roundSize: Int, until budget: ContinuousClock.Instant, client: RESPClient,
                          targetName: String) throws -> OperationOutcome {
        let deleteCommand = try deleteCommand(client)
        var progress = ClearProgress()
        var failure: String?
        rounds: while ContinuousClock.now < budget {
            let scan = try client.scan(match: pattern, limit: roundSize)
            if progress.sample.isEmpty { progress.sample = Array(scan.keys.prefix(10)) }
            if scan.keys.isEmpty { break }
            progress.rounds += 1
            for start in stride(from: 0, to: scan.keys.count, by: batchSize) {
                guard ContinuousClock.now < budget else { break rounds }
                let batch = Array(scan.keys[start..<min(start + batchSize, scan.keys.count)])
                do {
                    try delete(batch, command: deleteCommand, client: client, progress: &progress)
                } catch {
                    failure = "\(error)"
                    break rounds
                }
            }
        }
        let remaining = try client.scan(match: pattern, limit: remainingCountLimit).keys.count
        return outcome(progress, remaining: remaining, pattern: pattern, roundSize: roundSize, targetName: targetName, failure: failure)
    }

    /// Deletes one batch, snapshotting it while the snapshots stay small enough to keep.
    private static func delete(_ batch: [[UInt8]], command: String, client: RESPClient, progress: inout ClearProgress) throws {
        if progress.snapshots != nil {
            let (taken, deleted) = try snapshotAndDelete(batch, command: command, client: client)
            progress.deleted += deleted
            progress.keep(taken)
        } else {
            progress.deleted += try client.command(bytes: [Array(command.utf8)] + batch).integer.map(Int.init) ?? 0
        }
    }

    /// The outcome of a clear: counts, what remains, a sample of keys, whether it can be rolled back.
    private static func outcome(_ progress: ClearProgress, remaining: Int, pattern: String, roundSize: Int,
                                targetName: String, failure: String?) -> OperationOutcome {
        var summary = "Deleted \(progress.deleted) keys matching '\(pattern)' on redis '\(targetName)'"
            + (progress.rounds > 1 ? " in \(progress.rounds) rounds" : "")
        if remaining > 0 {
            let count = remaining >= remainingCountLimit ? "at least \(remaining)" : "\(remaining)"
            summary += "; \(count) keys still match" + (failure == nil ? " (the time budget ran out)" : "")
        }
        let snapshotNote: String
        if progress.snapshots == nil {
            snapshotNote = "not kept: the snapshot grew past 8 MiB, so this clear cannot be rolled back"
            summary += "; too large to snapshot, cannot be rolled back"
        } else {
            snapshotNote = "kept for rollback (\(progress.snapshotBytes) bytes)"
        }
        if let failure { summary += "; then failed: \(failure)" }
        let details: JSONValue = .object([
            "pattern": .string(pattern), "max_keys": .number(Double(roundSize)), "rounds": .number(Double(progress.rounds)),
            "deleted": .number(Double(progress.deleted)), "remaining": .number(Double(remaining)),
            "complete": .bool(remaining == 0), "snapshot": .string(snapshotNote),
            "keys_sample": .array(progress.sample.map { .string(String(decoding: $0, as: UTF8.self)) }),
        ])
        return OperationOutcome(succeeded: failure == nil && remaining == 0, summary: summary, details: details, undo: progress.undo)
    }

    /// UNLINK when the server has it (Redis 4+), else DEL.
    private static func deleteCommand(_ client: RESPClient) throws -> String {
        let info = try client.command(["COMMAND", "INFO", "UNLINK"])
        return info.elements?.first.map { !$0.isNull } == true ? "UNLINK" : "DEL"
    }

    /// DUMP, PTTL and delete each key of `batch` in one transaction; returns the snapshots of the
    /// keys that existed and how many were deleted.
    private static func snapshotAndDelete(_ batch: [[UInt8]], command: String, client: RESPClient) throws
        -> ([RedisKeySnapshot], Int) {
        var commands: [[[UInt8]]] = [[Array("MULTI".utf8)]]
        for key in batch {
            commands += [[Array("DUMP".utf8), key], [Array("PTTL".utf8), key], [Array(command.utf8), key]]
        }
        commands.append([Array("EXEC".utf8)])
        let replies = try client.pipeline(commands)
        guard let results = replies.last?.elements, results.count == batch.count * 3 else {
            let reason = replies.compactMap(\.errorMessage).first ?? "unexpected reply"
            throw client.failure("MULTI/EXEC of DUMP, PTTL, \(command): \(reason)")
        }
        var taken: [RedisKeySnapshot] = []
        var deleted = 0
        for (index, key) in batch.enumerated() {
            let (dump, ttl, removed) = (results[index * 3], results[index * 3 + 1], results[index * 3 + 2])
            if let message = dump.errorMessage ?? ttl.errorMessage ?? removed.errorMessage {
                throw client.failure("DUMP/PTTL/\(command): \(message)")
            }
            guard let payload = dump.bytes, let ttlMs = ttl.integer, ttlMs != -2 else { continue }
            taken.append(RedisKeySnapshot(key: key, ttlMs: max(0, ttlMs), payload: payload))
            deleted += Int(removed.integer ?? 0)
        }
        return (taken, deleted)
    }

    /// Puts back every snapshotted key with `RESTORE key ttl payload REPLACE`.
    static func restoreKeys(undo: JSONValue, client: RESPClient, targetName: String) throws -> OperationOutcome {
        guard let entries = undo["keys"]?.arrayValue else { throw StepFailure("the undo record has no keys") }
        let snapshots = try entries.map { entry in
            guard let snapshot = RedisKeySnapshot(json: entry) else { throw StepFailure("the undo record has a malformed key entry") }
            return snapshot
        }
        var restored = 0
        var failures: [String] = []
        for start in stride(from: 0, to: snapshots.count, by: batchSize) {
            let batch = snapshots[start..<min(start + batchSize, snapshots.count)]
            let commands = batch.map { snapshot in
                [Array("RESTORE".utf8), snapshot.key, Array(String(snapshot.ttlMs).utf8), snapshot.payload, Array("REPLACE".utf8)]
            }
            for (snapshot, reply) in zip(batch, try client.pipeline(commands)) {
                if let message = reply.errorMessage {
                    failures.append("\(snapshot.keyText): \(message)")
                } else {
                    restored += 1
                }
            }
        }
        var summary = "Restored \(restored) of \(snapshots.count) keys on redis '\(targetName)'"
        if let first = failures.first { summary += "; \(failures.count) failed, first: \(first)" }
        return OperationOutcome(succeeded: failures.isEmpty, summary: summary, details: .object([
            "restored": .number(Double(restored)), "failed": .number(Double(failures.count)),
            "failures": .array(failures.prefix(10).map { .string($0) }),
        ]))
    }
}
