import Foundation
import OpsBrainCore
import OpsBrainPlatform
#if canImport(Glibc)
import Glibc
#endif

/// One `log_rotation`: shifts `file.N(.gz)` up (dropping those past `keep`), renames the log to
/// `file.1`, recreates it empty with the same mode and owner, and gzips `file.1`; and the way back.
struct LogRotationOperation {
    let file: String
    let directoryPath: String
    let name: String
    let keep: Int
    let compress: Bool
    let timeout: Duration

    /// Reads the operation's settings from its parameters and path target.
    init(operation: FixOperationSpec, target: TargetDefinition) throws {
        file = try FileOperationDriver.absolutePath(of: target)
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
            + "rename \(name) to \(name).1, create an empty \(name) with the same mode and owner"
            + (compress ? ", then gzip \(name).1" : "")
    }

    /// Rotates the log; the undo value records every rename.
    func execute() throws -> OperationOutcome {
        let deadline = ContinuousClock.now + timeout
        let folder = try OpenDirectory(path: directoryPath)
        guard let current = try folder.info(name) else { throw StepFailure("log file \(file) does not exist") }
        guard current.isRegularFile else { throw StepFailure("\(file) is not a regular file (symlinks are not rotated)") }
        var record = Record()
        do {
            try rotate(in: folder, current: current, record: &record)
            if compress {
                try gzip(["--", "\(directoryPath)/\(name).1"], until: deadline)
                record.rotated = name + ".1.gz"
            }
        } catch {
            return OperationOutcome(succeeded: false, summary: "Rotating \(file) failed part way: \(error)",
                                    details: record.details, undo: record.undo(file: file))
        }
        let summary = "Rotated \(file) (\(current.size) bytes) to \(record.rotated!); keeping \(keep) generation(s)"
            + (record.dropped.isEmpty ? "" : ", deleted \(record.dropped.joined(separator: ", "))")
        return OperationOutcome(succeeded: true, summary: summary, details: record.details, undo: record.undo(file: file))
    }

    /// Drops old generations, shifts the rest up, renames the log to `.1` and recreates it.
    private func rotate(in folder: OpenDirectory, current: OpenDirectory.Entry, record: inout Record) throws {
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
        try move(name, to: name + ".1", in: folder)
        record.rotated = name + ".1"
        let created = openat(folder.fd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard created >= 0 else { throw StepFailure("cannot recreate \(file): \(OpenDirectory.lastError())") }
        defer { close(created) }
        fchmod(created, current.permissions)
        fchown(created, current.owner, current.group)
        record.recreated = true
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

        var details: JSONValue {
            .object(["dropped": .array(dropped.map(JSONValue.string)),
                     "shifted": .array(shifted.map { .array($0.map(JSONValue.string)) }),
                     "rotated_to": rotated.map(JSONValue.string) ?? .null, "recreated": .bool(recreated)])
        }

        func undo(file: String) -> JSONValue {
            .object(["file": .string(file), "dropped": .array(dropped.map(JSONValue.string)),
                     "shifted": .array(shifted.map { .array($0.map(JSONValue.string)) }),
                     "rotated": rotated.map(JSONValue.string) ?? .null])
        }
    }
}
