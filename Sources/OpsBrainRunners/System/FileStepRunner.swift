import Foundation
import OpsBrainCore
#if canImport(Glibc)
import Glibc
#endif

/// Runs `disk_usage` (filesystem usage of a path target) and `file_stat` (size, count and age of a
/// file, or of the matching entries of a directory) steps.
public struct FileStepRunner: StepRunner {
    public init() {}

    public var stepTypes: Set<StepType> { [.diskUsage, .fileStat] }

    /// Runs the step and reports its values, or why it could not run.
    public func run(_ step: StepSpec, context: StepContext) -> StepResult {
        let started = ContinuousClock.now
        do {
            let target = try context.target(step.target, kinds: [.path])
            guard let path = target.string("path"), path.hasPrefix("/") else {
                throw StepFailure("target '\(target.name)' needs an absolute 'path'")
            }
            let values = step.type == .diskUsage
                ? try Self.diskUsage(path: path)
                : try Self.fileStat(path: path, pattern: step.parameters["pattern"]?.stringValue)
            return StepResult(values: values, durationMs: Int(started.duration(to: .now).milliseconds))
        } catch {
            return .failure("step '\(step.id)': \(error)", durationMs: Int(started.duration(to: .now).milliseconds))
        }
    }

    /// Usage of the filesystem holding `path`, computed like `df`: used / (used + available to users).
    static func diskUsage(path: String) throws -> [String: JSONValue] {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else {
            throw StepFailure("cannot read filesystem usage of \(path): \(OpenDirectory.lastError())")
        }
        let blockSize = Double(info.f_frsize)
        let total = Double(info.f_blocks) * blockSize
        let used = Double(info.f_blocks - info.f_bfree) * blockSize
        let available = Double(info.f_bavail) * blockSize
        let percent = used + available > 0 ? used / (used + available) * 100 : 0
        return [
            "used_percent": .number((percent * 100).rounded() / 100),
            "free_bytes": .number(available),
            "total_bytes": .number(total),
        ]
    }

    /// Size, count and oldest age of `path` itself, or of the regular files in directory `path`
    /// whose names match `pattern` (`*` when `path` is a directory and no pattern is given).
    /// `exists` says whether the file (or, with a pattern, any matching file) is there.
    static func fileStat(path: String, pattern: String?) throws -> [String: JSONValue] {
        var status = stat()
        guard stat(path, &status) == 0 else {
            guard errno == ENOENT || errno == ENOTDIR else {
                throw StepFailure("cannot stat \(path): \(OpenDirectory.lastError())")
            }
            return summary(of: [], exists: false)
        }
        let entry = OpenDirectory.Entry(status)
        guard entry.isDirectory else {
            guard pattern == nil else { throw StepFailure("\(path) is not a directory, so a pattern cannot apply") }
            return summary(of: [entry], exists: true)
        }
        let directory = try OpenDirectory(path: path)
        var matches: [OpenDirectory.Entry] = []
        for name in try directory.names() where fnmatch(pattern ?? "*", name, 0) == 0 {
            var status = stat()
            guard fstatat(directory.fd, name, &status, 0) == 0 else { continue }
            let match = OpenDirectory.Entry(status)
            if match.isRegularFile { matches.append(match) }
        }
        return summary(of: matches, exists: pattern == nil || !matches.isEmpty)
    }

    private static func summary(of files: [OpenDirectory.Entry], exists: Bool) -> [String: JSONValue] {
        let oldest = files.map(\.modified).min()
        let age = oldest.map { max(0, Date().timeIntervalSince1970 - $0).rounded(.down) } ?? 0
        return [
            "exists": .bool(exists),
            "size_bytes": .number(Double(files.reduce(0) { $0 + $1.size })),
            "file_count": .number(Double(files.count)),
            "age_seconds": .number(age),
        ]
    }
}
