import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What a finished command produced.
public struct ProcessOutput: Sendable, Equatable {
    /// The exit status, or 128 + signal number when killed by a signal.
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
/// The child gets its own process group, so a timeout kills everything it started.
public enum ProcessRunner {
    /// Runs `argv`, waiting at most `timeout`, keeping at most `outputLimit` bytes of each stream.
    public static func run(
        _ argv: [String],
        environment: [String: String]? = nil,
        timeout: Duration = .seconds(30),
        outputLimit: Int = 1 << 20
    ) throws -> ProcessOutput {
        guard let executable = argv.first, !executable.isEmpty else {
            throw ProcessError(argv: argv, message: "empty argv")
        }
        guard let path = resolveExecutable(executable) else {
            throw ProcessError(argv: argv, message: "not found on PATH")
        }
        let child = try spawn(path: path, argv: argv, environment: environment)
        return collect(child, argv: argv, timeout: timeout, outputLimit: outputLimit)
    }

    /// Finds `name` on PATH (or checks it directly when it contains a slash).
    public static func resolveExecutable(_ name: String, path: String? = nil) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let searchPath = path ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in searchPath.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    private struct Child {
        var pid: pid_t
        var stdout: Int32
        var stderr: Int32
    }

    private static func spawn(path: String, argv: [String], environment: [String: String]?) throws -> Child {
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else {
            throw ProcessError(argv: argv, message: "pipe: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in [outPipe[0], outPipe[1], errPipe[0], errPipe[1]] {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let status = withCStrings(argv) { cArgv in
            withCStrings(env) { cEnv in
                posix_spawn(&pid, path, &actions, &attributes, cArgv, cEnv)
            }
        }
        close(outPipe[1])
        close(errPipe[1])
        guard status == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw ProcessError(argv: argv, message: String(cString: strerror(status)))
        }
        return Child(pid: pid, stdout: outPipe[0], stderr: errPipe[0])
    }

    private static func collect(_ child: Child, argv: [String], timeout: Duration, outputLimit: Int) -> ProcessOutput {
        let deadline = ContinuousClock.now + timeout
        var buffers: [Int32: [UInt8]] = [child.stdout: [], child.stderr: []]
        var open: Set<Int32> = [child.stdout, child.stderr]
        var truncated = false
        var timedOut = false
        var chunk = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty {
            let remaining = ContinuousClock.now.duration(to: deadline)
            if remaining <= .zero {
                timedOut = true
                kill(-child.pid, SIGKILL)
                break
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let millis = Int32(min(remaining.milliseconds, 1000))
            let ready = poll(&fds, nfds_t(fds.count), max(millis, 1))
            if ready < 0 && errno != EINTR { break }
            for entry in fds where entry.revents != 0 {
                let count = read(entry.fd, &chunk, chunk.count)
                if count <= 0 {
                    open.remove(entry.fd)
                    continue
                }
                let room = outputLimit - buffers[entry.fd]!.count
                if room < count { truncated = true }
                if room > 0 { buffers[entry.fd]!.append(contentsOf: chunk[0..<min(room, count)]) }
            }
        }
        close(child.stdout)
        close(child.stderr)
        let exitCode = waitForExit(child.pid)
        return ProcessOutput(
            exitCode: exitCode,
            stdout: String(decoding: buffers[child.stdout]!, as: UTF8.self),
            stderr: String(decoding: buffers[child.stderr]!, as: UTF8.self),
            timedOut: timedOut,
            truncated: truncated)
    }

    private static func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        if signal == 0 { return (status >> 8) & 0xff }
        return 128 + signal
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

extension Duration {
    /// The duration in whole milliseconds.
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
