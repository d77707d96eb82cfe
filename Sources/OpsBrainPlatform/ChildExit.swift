#if canImport(Glibc)
import Glibc
#endif

/// Watches one child for its exit, whatever it does with its pipes: through a pidfd, which poll(2)
/// reports readable once the child exits (Linux 5.3 and later), else by asking waitpid often.
struct ChildExit {
    let pid: pid_t
    /// A pidfd for the child (close-on-exec, as pidfd_open makes it), or -1 when the system gives none.
    let descriptor: Int32

    /// How often to ask waitpid without a pidfd.
    static let checkInterval: Duration = .milliseconds(20)

    /// How the exit is noticed.
    enum Watch {
        /// A pidfd where the system gives one, else `waitpid`.
        case pidfd
        /// `waitpid` every `checkInterval`.
        case waitpid
    }

    init(pid: pid_t, watch: Watch) {
        self.pid = pid
        descriptor = watch == .pidfd ? (GNULibC.pidfdOpen?(pid, 0) ?? -1) : -1
    }

    /// How long one wait for output may last before the exit is checked again: all of `remaining`
    /// when the pidfd wakes the wait, else a short interval.
    func waitLimit(within remaining: Duration) -> Duration {
        descriptor >= 0 ? remaining : min(remaining, Self.checkInterval)
    }

    /// The exit code when the child has exited (it is reaped then), else nil; -1 when something else reaped it.
    func exitCode() -> Int32? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid { return Self.exitCode(of: status) }
        if result < 0 && errno == ECHILD { return -1 }
        return nil
    }

    /// Kills the child's process group, and the child should it have left the group, then reaps it.
    func kill() -> Int32 {
        _ = Glibc.kill(-pid, SIGKILL)
        _ = Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return -1 }
        }
        return Self.exitCode(of: status)
    }

    /// Closes the pidfd.
    func close() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
    }

    /// The exit status, or 128 + the signal number when a signal ended the child.
    private static func exitCode(of status: Int32) -> Int32 {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
