import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts a long-running program in its own session, detached from the caller: stdin from
/// /dev/null, stdout and stderr appended to a log file, so whoever started it is not held open.
public enum DetachedProcess {
    /// glibc's POSIX_SPAWN_SETSID (not exported to Swift): the child starts a new session.
    private static let spawnSetSID: Int32 = 0x80

    /// Spawns `argv` (argv[0] resolved on PATH) and returns its pid.
    public static func spawn(_ argv: [String], log: String, environment: [String: String]? = nil) throws -> pid_t {
        guard let program = argv.first else { throw SandboxError("nothing to start") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(spawnSetSID))
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let status = withCStrings(argv) { cArgv in
            withCStrings(env) { cEnv in posix_spawnp(&pid, program, &actions, &attributes, cArgv, cEnv) }
        }
        guard status == 0 else { throw SandboxError("cannot start \(program): \(String(cString: strerror(status)))") }
        return pid
    }

    /// The pid recorded in `file`, if that process still runs.
    static func runningPid(in file: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0, kill(pid, 0) == 0 else { return nil }
        return pid
    }

    /// Sends SIGTERM to the process in `file`, waits up to `grace` for it to end, then SIGKILL.
    static func stop(pidFile file: String, grace: Double = 10) {
        defer { try? FileManager.default.removeItem(atPath: file) }
        if let pid = runningPid(in: file) { stop(pid: pid, grace: grace) }
    }

    /// Sends SIGTERM to `pid`, waits up to `grace` for it to end (reaping it when it is our child),
    /// then SIGKILL.
    public static func stop(pid: pid_t, grace: Double = 10) {
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while kill(pid, 0) == 0 && Date() < deadline {
            if waitpid(pid, nil, WNOHANG) == pid { return }
            usleep(50_000)
        }
        if kill(pid, 0) == 0 {
            kill(pid, SIGKILL)
            _ = waitpid(pid, nil, 0)
        }
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        var pointers = strings.map { strdup($0) }
        pointers.append(nil)
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}
