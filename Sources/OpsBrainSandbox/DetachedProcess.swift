import Foundation
import OpsBrainPlatform
#if canImport(Glibc)
import Glibc
#endif

/// Starts a long-running program in its own session, detached from the caller: stdin from
/// /dev/null, stdout and stderr appended to a log file, so whoever started it is not held open.
/// Like every child, it inherits nothing else (see `ChildSpawn`).
public enum DetachedProcess {
    /// Spawns `argv` (argv[0] resolved on PATH) with `environment` on top of the base environment
    /// and returns its pid.
    public static func spawn(_ argv: [String], log: String, environment: [String: String] = [:]) throws -> pid_t {
        let program = argv.first ?? ""
        let fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SandboxError("cannot open \(log) for \(program): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        do {
            return try ChildSpawn.spawn(argv, environment: environment, stdout: fd, stderr: fd, detachment: .session)
        } catch {
            throw SandboxError("cannot start \(program): \(error.message)")
        }
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
}
