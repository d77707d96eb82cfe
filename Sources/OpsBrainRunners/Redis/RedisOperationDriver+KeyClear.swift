import OpsBrainCore

/// `cache_clear` and `rate_limit_reset`: snapshot-then-delete of matching keys, and their restore.
extension RedisOperationDriver {
    /// What a clear has done so far.
    private struct ClearProgress {
        var deleted = 0
        /// Nil once the snapshots outgrew `snapshotLimit` (the clear then cannot be rolled back).
        var snapshots: [RedisKeySnapshot]? = []
        var snapshotBytes = 0

        mutating func keep(_ taken: [RedisKeySnapshot]) {
            snapshotBytes += taken.reduce(0) { $0 + $1.undoSize }
            if snapshotBytes > RedisOperationDriver.snapshotLimit { snapshots = nil }
            snapshots? += taken
        }

        var undo: JSONValue? { snapshots.map { .object(["keys": .array($0.map(\.json))]) } }
    }

    /// Deletes up to `maxKeys` keys matching `pattern`, snapshotting each first (in one
    /// MULTI/EXEC per batch, so a snapshot is exactly what was deleted).
    static func clearKeys(matching pattern: String, maxKeys: Int, client: RESPClient, targetName: String) throws
        -> OperationOutcome {
        let scan = try client.scan(match: pattern, limit: maxKeys)
        let deleteCommand = try deleteCommand(client)
        var progress = ClearProgress()
        var failure: String?
        for start in stride(from: 0, to: scan.keys.count, by: batchSize) {
            let batch = Array(scan.keys[start..<min(start + batchSize, scan.keys.count)])
            do {
                if progress.snapshots != nil {
                    let (taken, deleted) = try snapshotAndDelete(batch, command: deleteCommand, client: client)
                    progress.deleted += deleted
                    progress.keep(taken)
                } else {
                    progress.deleted += try client.command(bytes: [Array(deleteCommand.utf8)] + batch).integer.map(Int.init) ?? 0
                }
            } catch {
                failure = "\(error)"
                break
            }
        }
        return outcome(progress, scan: scan, pattern: pattern, maxKeys: maxKeys, targetName: targetName, failure: failure)
    }

    /// The outcome of a clear: counts, a sample of keys, whether it can be rolled back.
    private static func outcome(_ progress: ClearProgress, scan: RESPClient.ScanResult, pattern: String, maxKeys: Int,
                                targetName: String, failure: String?) -> OperationOutcome {
        var summary = "Deleted \(progress.deleted) keys matching '\(pattern)' on redis '\(targetName)'"
        if !scan.complete { summary += " (stopped at max_keys \(maxKeys); more keys may match)" }
        let snapshotNote: String
        if progress.snapshots == nil {
            snapshotNote = "not kept: the snapshot grew past 8 MiB, so this clear cannot be rolled back"
            summary += "; too large to snapshot, cannot be rolled back"
        } else {
            snapshotNote = "kept for rollback (\(progress.snapshotBytes) bytes)"
        }
        if let failure { summary += "; then failed: \(failure)" }
        let details: JSONValue = .object([
            "pattern": .string(pattern), "max_keys": .number(Double(maxKeys)),
            "matched": .number(Double(scan.keys.count)), "deleted": .number(Double(progress.deleted)),
            "complete": .bool(scan.complete), "snapshot": .string(snapshotNote),
            "keys_sample": .array(scan.keys.prefix(10).map { .string(String(decoding: $0, as: UTF8.self)) }),
        ])
        return OperationOutcome(succeeded: failure == nil, summary: summary, details: details, undo: progress.undo)
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
