import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a finished command produced.
public struct ProcessOutput: Sendable, Equatable {
    /// The exit status, or 128 + signal number when killed by a signal (-1 if something else reaped the child).
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String
    /// True when the command was killed because it ran past its timeout.
    public var timedOut: Bool
    /// True when output beyond the cap was dropped.
    public var truncated: Bool
}

/// Why a command could not be run.
public struct ProcessError: Error, CustomStringConvertible, Sendable {
    public var argv: [String]
    public var message: String
    public var description: String { "cannot run \(argv.first ?? "?"): \(message)" }
}

/// Runs commands as argv arrays (never through a shell) with a timeout and an output cap.
///
/// The child inherits nothing (see `ChildSpawn`): fds 0-2 only, the base environment plus the
/// variables the caller gives. It gets its own process group, so a timeout kills everything it
/// started, and the timeout holds whatever the child does with its pipes.
public enum ProcessRunner {
    /// How long output is still read after the child exits while something it started keeps the pipes open.
    static let drainGrace: Duration = .milliseconds(200)

    /// Runs `argv` with `environment` on top of the base environment, waiting at most `timeout`
    /// and keeping at most `outputLimit` bytes of each stream.
    public static func run(
        _ argv: [String],
        environment: [String: String] = [:],
        timeout: Duration = .seconds(30),
        outputLimit: Int = 1 << 20
    ) throws -> ProcessOutput {
        try run(argv, environment: environment, timeout: timeout, outputLimit: outputLimit, watch: .pidfd)
    }

    /// `run`, noticing the child's exit the way `watch` says.
    static func run(_ argv: [String], environment: [String: String], timeout: Duration, outputLimit: Int,
                    watch: ChildExit.Watch) throws -> ProcessOutput {
        let out = try pipe(for: argv)
        let err: (read: Int32, write: Int32)
        do { err = try pipe(for: argv) } catch {
            closeAll(out.read, out.write)
            throw error
        }
        let pid: pid_t
        do {
            pid = try ChildSpawn.spawn(argv, environment: environment, stdout: out.write, stderr: err.write,
                                       detachment: .processGroup)
        } catch {
            closeAll(out.read, out.write, err.read, err.write)
            throw error
        }
        closeAll(out.write, err.write)
        return collect(ChildExit(pid: pid, watch: watch), OutputCollector(stdout: out.read, stderr: err.read, limit: outputLimit),
                       timeout: timeout)
    }

    /// Finds `name` on PATH (or checks it directly when it contains a slash).
    public static func resolveExecutable(_ name: String, path: String? = nil) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let searchPath = path ?? ProcessInfo.processInfo.environment["PATH"] ?? ChildEnvironment.defaultPath
        for directory in searchPath.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// A pipe whose ends are close-on-exec, so no other spawn (ours closes them anyway) inherits them.
    private static func pipe(for argv: [String]) throws -> (read: Int32, write: Int32) {
        var ends: [Int32] = [-1, -1]
        guard let pipe2 = GNULibC.pipe2 else { throw ProcessError(argv: argv, message: "the C library has no pipe2") }
        guard pipe2(&ends, O_CLOEXEC) == 0 else {
            throw ProcessError(argv: argv, message: "pipe: \(String(cString: strerror(errno)))")
        }
        return (ends[0], ends[1])
    }

    private static func closeAll(_ descriptors: Int32...) {
        for fd in descriptors { _ = close(fd) }
    }

    /// Reads the output until the child exits and its pipes close, or the deadline passes: then the
    /// child's process group is killed. Once the child has exited, output is read for `drainGrace` more.
    private static func collect(_ child: ChildExit, _ output: OutputCollector, timeout: Duration) -> ProcessOutput {
        var output = output
        let deadline = ContinuousClock.now + timeout
        defer { child.close() }
        var exitCode: Int32?
        var end = deadline
        while exitCode == nil || !output.finished {
            let remaining = ContinuousClock.now.duration(to: end)
            guard remaining > .zero else { break }
            if exitCode != nil {
                output.read(waitingAtMost: remaining, orUntilReadable: -1)
                continue
            }
            output.read(waitingAtMost: child.waitLimit(within: remaining), orUntilReadable: child.descriptor)
            exitCode = child.exitCode()
            if exitCode != nil { end = min(deadline, .now + drainGrace) }
        }
        output.close()
        return ProcessOutput(exitCode: exitCode ?? child.kill(), stdout: output.stdoutText, stderr: output.stderrText,
                             timedOut: exitCode == nil, truncated: output.truncated)
    }
}

extension Duration {
    /// The duration in whole milliseconds.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
