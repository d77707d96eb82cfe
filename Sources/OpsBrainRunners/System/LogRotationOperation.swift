import Foundation
import OpsBrainCore
import OpsBrainPlatform
#if canImport(Glibc)
import Glibc
#endif

/// One `log_rotation`: shifts `file.N(.gz)` up (dropping those past `keep`), moves the log's
/// content to `file.1`, and gzips it; and the way back. It ends with whoever writes the log
/// writing into the file at its path, so the space is really freed:
/// - nobody holds the log open: it is renamed and recreated empty (reversible);
/// - a writer holds it and the target declares `reopen` (`[nginx, -s, reopen]`, a signal): renamed,
///   recreated, then the writers are told to reopen, and the rotation fails if one keeps the old file;
/// - every writer appends (O_APPEND): copied, then truncated in place (not reversible; lines written
///   during the copy may be lost);
/// - otherwise it refuses: truncating under a writer without O_APPEND leaves it writing at its old offset.
struct LogRotationOperation {
    /// How the content leaves the log, chosen by who holds it open.
    enum Method: String {
        case rename
        case renameAndReopen = "rename_and_reopen"
        case copyAndTruncate = "copy_and_truncate"
    }

    /// How long writers get to let go of the rotated file after `reopen`.
    static let reopenGrace: Duration = .seconds(5)

    let file: String
    let targetName: String
    /// The target's command that makes the writers reopen their log, if it declares one.
    let reopen: [String]?
    let directoryPath: String
    let name: String
    let keep: Int
    let compress: Bool
    let timeout: Duration

    /// Reads the operation's settings from its parameters and path target.
    init(operation: FixOperationSpec, target: TargetDefinition) throws {
        file = try FileOperationDriver.absolutePath(of: target)
        targetName = target.name
        if target.fields["reopen"] != nil {
            guard let argv = target.argv("reopen"), let first = argv.first, !first.isEmpty,
                  argv.count == target.fields["reopen"]?.arrayValue?.count else {
                throw StepFailure("target '\(target.name)': 'reopen' must be a non-empty argv list")
            }
            reopen = argv
        } else {
            reopen = nil
        }
        let url = URL(fileURLWithPath: file)
        directoryPath = url.deletingLastPathComponent().path
        name = url.lastPathComponent
        keep = operation.parameters["keep"]?.doubleValue.map { Int($0) } ?? 5
        compress = operation.parameters["compress"]?.boolValue ?? true
        timeout = operation.timeout
        guard (1...100).contains(keep) else { throw StepFailure("keep must be in 1...100") }
    }

    /// What `execute` does, in one line.
    var plan: String {
        "rotate \(file): delete \(name).\(keep)(.gz) and older generations, "
            + (keep > 1 ? "rename \(name).1...\(keep - 1)(.gz) one up, " : "")
            + "move the log's content to \(name).1 (renamed and recreated with the same mode and owner when nothing holds it open"
            + (reopen.map { ", then `\($0.joined(separator: " "))` when something does" } ?? ", copied and truncated in place when its writers append")
            + ")" + (compress ? ", then gzip \(name).1" : "")
    }

    /// The method for these writers, or why none is safe.
    func method(for writers: [LogWriters.Holder]) throws -> Method {
        if writers.isEmpty { return .rename }
        if reopen != nil { return .renameAndReopen }
        if let blind = writers.first(where: { !$0.appends }) {
            throw StepFailure("process \(blind.pid) holds \(file) open without O_APPEND: truncating would leave it writing at its old "
                              + "offset and renaming would leave it writing into the rotated file; declare 'reopen' on target "
                              + "'\(targetName)' (e.g. [nginx, -s, reopen]) so the log can be rotated")
        }
        return .copyAndTruncate
    }

    /// Rotates the log by the method its writers allow; the undo value records every rename (none
    /// when the log was truncated in place).
    func execute() throws -> OperationOutcome {
        let deadline = ContinuousClock.now + timeout
        let folder = try OpenDirectory(path: directoryPath)
        guard let current = try folder.info(name) else { throw StepFailure("log file \(file) does not exist") }
        guard current.isRegularFile else { throw StepFailure("\(file) is not a regular file (symlinks are not rotated)") }
        let writers = LogWriters.holding(device: UInt64(current.device), inode: UInt64(current.inode))
        let method = try method(for: writers)
        var record = Record()
        do {
            try shiftGenerations(in: folder, record: &record)
            if method == .copyAndTruncate {
                try copyAndTruncate(in: folder, record: &record)
            } else {
                try renameAndRecreate(in: folder, current: current, record: &record)
            }
            if method == .renameAndReopen { try reopenWriters(of: current, until: deadline) }
            if compress {
                try gzip(["--", "\(directoryPath)/\(name).1"], until: deadline)
                record.rotated = name + ".1.gz"
            }
        } catch {
            return OperationOutcome(succeeded: false, summary: "Rotating \(file) failed part way: \(error)",
                                    details: details(record, method: method, writers: writers, freed: nil),
                                    undo: method == .copyAndTruncate ? nil : record.undo(file: file))
        }
        let freed = max(0, current.size - (try folder.info(record.rotated ?? "")?.size ?? 0) - (try folder.info(name)?.size ?? 0))
        let summary = "Rotated \(file) (\(current.size) bytes) to \(record.rotated!) by \(method.words), freeing \(freed) bytes; keeping \(keep) "
            + "generation(s)" + (record.dropped.isEmpty ? "" : ", deleted \(record.dropped.joined(separator: ", "))")
            + (writers.isEmpty ? "" : "; its writer(s) \(Set(writers.map(\.pid)).sorted().map(String.init).joined(separator: ", ")) write into the live file")
        return OperationOutcome(succeeded: true, summary: summary, details: details(record, method: method, writers: writers, freed: freed),
                                undo: method == .copyAndTruncate ? nil : record.undo(file: file))
    }

    private func details(_ record: Record, method: Method, writers: [LogWriters.Holder], freed: Int?) -> JSONValue {
        guard case .object(var fields) = record.details else { return record.details }
        fields["method"] = .string(method.rawValue)
        fields["writers"] = .array(Set(writers.map(\.pid)).sorted().map { .number(Double($0)) })
        fields["bytes_freed"] = freed.map { .number(Double($0)) } ?? .null
        return .object(fields)
    }

    /// Runs the target's `reopen`, then waits until no process holds the rotated file (the old inode).
    private func reopenWriters(of rotated: OpenDirectory.Entry, until deadline: ContinuousClock.Instant) throws {
        guard let reopen else { return }
        let output = try ProcessRunner.run(reopen, timeout: max(ContinuousClock.now.duration(to: deadline), .milliseconds(1)), outputLimit: 4096)
        guard output.exitCode == 0, !output.timedOut else {
            throw StepFailure("`\(reopen.joined(separator: " "))` \(output.timedOut ? "timed out" : "exited with \(output.exitCode)"): "
                              + CommandStepRunner.excerpt(output.stderr, limit: 512))
        }
        let grace = min(ContinuousClock.now + Self.reopenGrace, deadline)
        var holders = LogWriters.holding(device: UInt64(rotated.device), inode: UInt64(rotated.inode))
        while !holders.isEmpty && ContinuousClock.now < grace {
            usleep(100_000)
            holders = LogWriters.holding(device: UInt64(rotated.device), inode: UInt64(rotated.inode))
        }
        if let stuck = holders.first {
            throw StepFailure("process \(stuck.pid) still writes into the rotated file after `\(reopen.joined(separator: " "))`")
        }
    }

    /// Drops the generations past `keep` and shifts the rest one up, freeing `name.1`.
    private func shiftGenerations(in folder: OpenDirectory, record: inout Record) throws {
        let generations = Self.generations(of: name, among: try folder.names()).sorted { $0.number > $1.number }
        for old in generations where old.number >= keep {
            try folder.remove(old.fileName(name))
            record.dropped.append(old.fileName(name))
        }
        for generation in generations where generation.number < keep {
            let next = Generation(number: generation.number + 1, compressed: generation.compressed)
            try move(generation.fileName(name), to: next.fileName(name), in: folder)
            record.shifted.append([generation.fileName(name), next.fileName(name)])
        }
    }

    /// Renames the log to `.1` and recreates it empty with the same mode and owner.
    private func renameAndRecreate(in folder: OpenDirectory, current: OpenDirectory.Entry, record: inout Record) throws {
        try move(name, to: name + ".1", in: folder)
        record.rotated = name + ".1"
        let created = openat(folder.fd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard created >= 0 else { throw StepFailure("cannot recreate \(file): \(OpenDirectory.lastError())") }
        defer { close(created) }
        fchmod(created, current.permissions)
        fchown(created, current.owner, current.group)
        record.recreated = true
    }

    /// Copies the log to a new `.1` and truncates the log in place, where its writers keep appending.
    private func copyAndTruncate(in folder: OpenDirectory, record: inout Record) throws {
        let source = openat(folder.fd, name, O_RDWR | O_NOFOLLOW | O_CLOEXEC)
        guard source >= 0 else { throw StepFailure("cannot open \(file): \(OpenDirectory.lastError())") }
        defer { close(source) }
        let copy = openat(folder.fd, name + ".1", O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard copy >= 0 else { throw StepFailure("cannot create \(name).1 in \(directoryPath): \(OpenDirectory.lastError())") }
        defer { close(copy) }
        record.rotated = name + ".1"
        var info = stat()
        if fstat(source, &info) == 0 {
            fchmod(copy, info.st_mode & 0o7777)
            fchown(copy, info.st_uid, info.st_gid)
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = read(source, &buffer, buffer.count)
            guard count >= 0 else { throw StepFailure("cannot read \(file): \(OpenDirectory.lastError())") }
            if count == 0 { break }
            guard write(copy, buffer, count) == count else { throw StepFailure("cannot write \(name).1: \(OpenDirectory.lastError())") }
        }
        guard fsync(copy) == 0, ftruncate(source, 0) == 0 else { throw StepFailure("cannot truncate \(file): \(OpenDirectory.lastError())") }
        record.truncated = true
    }

    /// Renames `from` to `to` in `folder`, refusing to replace an existing file.
    func move(_ from: String, to: String, in folder: OpenDirectory) throws {
        do {
            try folder.move(from, to: folder, as: to)
        } catch .destinationExists {
            throw StepFailure("cannot rename \(from) to \(to) in \(directoryPath): \(to) already exists")
        } catch .failed(let message) {
            throw StepFailure(message)
        }
    }

    /// Runs gzip with `arguments`, within what is left of the operation's time.
    func gzip(_ arguments: [String], until deadline: ContinuousClock.Instant) throws {
        let output = try ProcessRunner.run(["gzip"] + arguments, timeout: max(ContinuousClock.now.duration(to: deadline), .milliseconds(1)),
                                           outputLimit: 4096)
        if output.timedOut { throw StepFailure("gzip timed out after \(DurationSyntax.format(timeout))") }
        guard output.exitCode == 0 else {
            throw StepFailure("gzip exited with \(output.exitCode): \(CommandStepRunner.excerpt(output.stderr, limit: 512))")
        }
    }
}

extension LogRotationOperation.Method {
    /// The method, in the words of a summary.
    var words: String {
        switch self {
        case .rename: return "renaming it (nothing held it open)"
        case .renameAndReopen: return "renaming it and making its writers reopen"
        case .copyAndTruncate: return "copying it and truncating it in place (its writers append)"
        }
    }
}

extension LogRotationOperation {
    /// A rotated copy of the log: `name.N` or `name.N.gz`.
    struct Generation: Equatable {
        var number: Int
        var compressed: Bool

        func fileName(_ base: String) -> String { "\(base).\(number)" + (compressed ? ".gz" : "") }

        /// The generation `fileName` is of the log named `base`, if it is one.
        init?(fileName: String, base: String) {
            guard fileName.hasPrefix(base + ".") else { return nil }
            var rest = fileName.dropFirst(base.count + 1)
            compressed = rest.hasSuffix(".gz")
            if compressed { rest = rest.dropLast(3) }
            guard !rest.isEmpty, rest.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(rest), number >= 1 else { return nil }
            self.number = number
        }

        init(number: Int, compressed: Bool) {
            self.number = number
            self.compressed = compressed
        }
    }

    /// The generations of the log named `base` among `names`.
    static func generations(of base: String, among names: [String]) -> [Generation] {
        names.compactMap { Generation(fileName: $0, base: base) }
    }

    /// What one rotation did so far.
    struct Record {
        var dropped: [String] = []
        /// Renames of older generations, in the order done: [from, to].
        var shifted: [[String]] = []
        /// Where the log's content went (`name.1` or `name.1.gz`), once renamed.
        var rotated: String?
        var recreated = false
        /// The log was copied and truncated in place (its writers hold it open and append).
        var truncated = false

        var details: JSONValue {
            .object(["dropped": .array(dropped.map(JSONValue.string)),
                     "shifted": .array(shifted.map { .array($0.map(JSONValue.string)) }),
                     "rotated_to": rotated.map(JSONValue.string) ?? .null, "recreated": .bool(recreated), "truncated": .bool(truncated)])
        }

        func undo(file: String) -> JSONValue {
            .object(["file": .string(file), "dropped": .array(dropped.map(JSONValue.string)),
                     "shifted": .array(shifted.map { .array($0.map(JSONValue.string)) }),
                     "rotated": rotated.map(JSONValue.string) ?? .null])
        }
    }
}
