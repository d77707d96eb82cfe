import Foundation
import OpsBrainCore
#if canImport(Glibc)
import Glibc
#endif

/// One `temp_cleanup`: moves old files of a directory tree into a quarantine folder outside it,
/// and back; or, with `keep_for: 0s`, deletes them (the disk space comes back at once).
///
/// Files keep their paths relative to the directory. Symlinks are never followed or moved, other
/// filesystems mounted below are not entered, and a quarantine folder inside the tree is skipped.
/// The quarantine is the target's `quarantine`, else Ops Brain's (`TempQuarantine`); each run first
/// purges the executions' folders there whose rollback window has passed.
struct TempCleanupOperation {
    /// The most problem messages kept in details.
    static let problemLimit = 20
    /// The most folders kept open by `folder(_:in:createMode:)`.
    static let openFolderLimit = 64

    let directory: String
    let olderThan: Duration
    let pattern: String
    /// The folder holding each execution's quarantine: the target's `quarantine`, or Ops Brain's.
    let quarantineBase: String
    let quarantine: TempQuarantine
    /// True with `keep_for: 0s`: the files are deleted, not quarantined (nothing to roll back).
    let deletes: Bool
    let executionID: UUID
    let timeout: Duration

    /// Reads the operation's settings from its parameters and path target.
    init(operation: FixOperationSpec, target: TargetDefinition, context: StepContext, quarantine: TempQuarantine) throws {
        directory = try FileOperationDriver.absolutePath(of: target)
        olderThan = try FileOperationDriver.duration(operation.parameters["older_than"], name: "older_than") ?? .seconds(86400)
        pattern = operation.parameters["pattern"]?.stringValue ?? "*"
        deletes = try FileOperationDriver.duration(operation.parameters["keep_for"], name: "keep_for") == .zero
        self.quarantine = quarantine
        if let configured = target.string("quarantine") {
            guard configured.hasPrefix("/") else { throw StepFailure("target '\(target.name)': quarantine must be an absolute path") }
            quarantineBase = configured
        } else {
            var info = stat()
            guard stat(directory, &info) == 0 else { throw StepFailure("cannot read \(directory): \(OpenDirectory.lastError())") }
            guard let base = quarantine.base(for: directory, device: UInt(info.st_dev)) else {
                throw StepFailure("no quarantine on the filesystem of \(directory) outside it: declare 'quarantine' on target '\(target.name)'")
            }
            quarantineBase = base
        }
        executionID = context.executionID
        timeout = operation.timeout
    }

    /// This execution's quarantine folder.
    var quarantineRoot: String { quarantineBase + "/" + executionID.uuidString.lowercased() }

    /// What `execute` does, in one line.
    var plan: String {
        let files = "regular files under \(directory) (recursively, not following symlinks) last modified more than "
            + "\(DurationSyntax.format(olderThan)) ago and named like '\(pattern)'"
        return deletes ? "delete \(files) (keep_for 0s: not reversible)"
            : "move \(files) into \(quarantineRoot)/, keeping their relative paths, for \(DurationSyntax.format(quarantine.retention))"
    }

    /// Moves (or deletes) the matching files; the undo value lists them and the quarantine folder.
    func execute() throws -> OperationOutcome {
        let root = try OpenDirectory(path: directory)
        let rootInfo = try root.info()
        let base = try Self.makeDirectory(quarantineBase)
        let baseInfo = try base.info()
        guard baseInfo.device == rootInfo.device else {
            throw StepFailure("quarantine \(quarantineBase) is not on the same filesystem as \(directory)")
        }
        let purged = quarantine.purgeExpired(in: quarantineBase)
        let executionName = executionID.uuidString.lowercased()
        var walk = Walk(
            cutoff: Date().timeIntervalSince1970 - Double(olderThan.milliseconds) / 1000, pattern: pattern,
            device: rootInfo.device, skip: [baseInfo.inode], deletes: deletes,
            deadline: ContinuousClock.now + timeout,
            folders: deletes ? [:] : ["": try OpenDirectory(in: base, name: executionName, createMode: 0o700)])
        try walk.visit(root, relative: "")
        if walk.moved.isEmpty { base.removeEmptyDirectory(executionName) }
        return outcome(of: walk, purged: purged)
    }

    private func outcome(of walk: Walk, purged: Int) -> OperationOutcome {
        let files = "\(walk.moved.count) file(s) (\(walk.bytes) bytes) older than \(DurationSyntax.format(olderThan)) matching '\(pattern)'"
        var summary = deletes ? "Deleted \(files) from \(directory), freeing their space"
            : "Moved \(files) from \(directory) to quarantine \(quarantineRoot), outside it (deleted after "
              + "\(DurationSyntax.format(quarantine.retention)), when the disk space comes back)"
        if purged > 0 { summary += "; purged \(purged) expired quarantine folder(s)" }
        if !walk.problems.isEmpty { summary += "; \(walk.problems.count) could not be moved" }
        if walk.timedOut { summary += "; stopped at the \(DurationSyntax.format(timeout)) timeout" }
        return OperationOutcome(
            succeeded: walk.problems.isEmpty && !walk.timedOut,
            summary: summary,
            details: .object([
                "directory": .string(directory), "quarantine": .string(quarantineRoot),
                "moved": .number(Double(walk.moved.count)), "bytes": .number(Double(walk.bytes)),
                "problems": .array(walk.problems.prefix(Self.problemLimit).map(JSONValue.string)),
                "problem_count": .number(Double(walk.problems.count)), "timed_out": .bool(walk.timedOut),
                "deleted": .bool(deletes), "purged_quarantines": .number(Double(purged)),
            ]),
            undo: deletes ? nil : .object([
                "directory": .string(directory), "quarantine": .string(quarantineRoot),
                "files": .array(walk.moved.map(JSONValue.string)),
            ]))
    }

    /// Creates `path` (and missing parents) with mode 0700 and opens it.
    private static func makeDirectory(_ path: String) throws -> OpenDirectory {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw StepFailure("cannot create quarantine \(path): \(error.localizedDescription)")
        }
        return try OpenDirectory(path: path)
    }

    /// The folder at `relative` below `folders[""]`, opened (and created when `createMode` is given) one
    /// component at a time without following symlinks; opened folders are remembered in `folders`
    /// (at most `openFolderLimit` of them, so big trees do not run out of file descriptors).
    static func folder(_ relative: String, in folders: inout [String: OpenDirectory], createMode: mode_t?) throws -> OpenDirectory {
        if let known = folders[relative] { return known }
        if folders.count > openFolderLimit { folders = folders.filter { $0.key.isEmpty } }
        let parentPath = relative.split(separator: "/").dropLast().joined(separator: "/")
        let parent = try folder(parentPath, in: &folders, createMode: createMode)
        let opened = try OpenDirectory(in: parent, name: String(relative.split(separator: "/").last!), createMode: createMode)
        folders[relative] = opened
        return opened
    }
}

extension TempCleanupOperation {
    /// The state of one walk over the directory tree.
    private struct Walk {
        let cutoff: Double
        let pattern: String
        /// Only this filesystem is walked.
        let device: UInt
        /// Directory inodes never entered (the quarantine folder).
        let skip: Set<UInt>
        /// Delete the files instead of moving them.
        let deletes: Bool
        let deadline: ContinuousClock.Instant
        /// Opened quarantine folders by relative path; "" is this execution's quarantine root.
        var folders: [String: OpenDirectory]
        var moved: [String] = []
        var bytes = 0
        var problems: [String] = []
        var timedOut = false

        /// Moves the old matching files in `directory` and below.
        mutating func visit(_ directory: OpenDirectory, relative: String) throws {
            for name in try directory.names().sorted() {
                guard ContinuousClock.now < deadline else {
                    timedOut = true
                    return
                }
                guard let entry = try? directory.info(name) else { continue }
                let path = relative.isEmpty ? name : relative + "/" + name
                if entry.isDirectory {
                    guard entry.device == device, !skip.contains(entry.inode) else { continue }
                    do {
                        try visit(OpenDirectory(in: directory, name: name), relative: path)
                    } catch {
                        problems.append("\(error)")
                    }
                } else if entry.isRegularFile, entry.modified < cutoff, fnmatch(pattern, name, 0) == 0 {
                    move(name, from: directory, relative: relative, size: entry.size)
                }
            }
        }

        private mutating func move(_ name: String, from directory: OpenDirectory, relative: String, size: Int) {
            let path = relative.isEmpty ? name : relative + "/" + name
            if deletes {
                do {
                    try directory.remove(name)
                    moved.append(path)
                    bytes += size
                } catch {
                    problems.append("\(path): \(error)")
                }
                return
            }
            do {
                let destination = try TempCleanupOperation.folder(relative, in: &folders, createMode: 0o700)
                try directory.move(name, to: destination, as: name)
                moved.append(path)
                bytes += size
            } catch OpenDirectory.MoveError.destinationExists {
                problems.append("\(path): already in quarantine")
            } catch OpenDirectory.MoveError.failed(let message) {
                problems.append(message)
            } catch {
                problems.append("\(path): \(error)")
            }
        }
    }
}
