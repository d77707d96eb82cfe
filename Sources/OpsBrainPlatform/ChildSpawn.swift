import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts child processes that inherit nothing: stdin from /dev/null, the given stdout and stderr,
/// every other descriptor closed, default signal handling, and the environment of `ChildEnvironment`.
///
/// Without this a child holds whatever the engine has open, its listening socket included, and a
/// restarted service that lives on keeps the engine's port after the engine is gone.
public enum ChildSpawn {
    /// How the child stands apart from its parent.
    public enum Detachment: Sendable {
        /// Its own process group in the parent's session, so a timeout kills everything it started.
        case processGroup
        /// Its own session (and group), for long-lived programs that must outlive the parent's terminal.
        case session
    }

    /// How the spawn closes the descriptors above 2.
    enum Sweep {
        /// `posix_spawn_file_actions_addclosefrom_np`: the child closes all of them (glibc 2.34 and later).
        case closeFrom
        /// A close action for each descriptor /proc/self/fd lists just before the spawn (older glibc).
        /// One that another thread opens without O_CLOEXEC between the listing and the spawn gets through.
        case listed

        /// `closeFrom` where the C library has it.
        static var preferred: Sweep { GNULibC.addCloseFrom == nil ? .listed : .closeFrom }
    }

    /// glibc's POSIX_SPAWN_SETSID (not imported into Swift): the child starts a new session.
    private static let setSessionFlag: Int32 = 0x80
    /// Signals whose handling the child gets back at its default, whatever the engine set.
    private static let defaultedSignals = [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD]

    /// Starts `argv` (argv[0] looked up on the child's PATH) with `stdout` and `stderr` as its fds 1 and 2,
    /// and the base environment plus `environment`; returns its pid.
    public static func spawn(_ argv: [String], environment: [String: String] = [:], stdout: Int32, stderr: Int32,
                             detachment: Detachment) throws(ProcessError) -> pid_t {
        try spawn(argv, environment: environment, stdout: stdout, stderr: stderr, detachment: detachment, sweep: .preferred)
    }

    /// `spawn`, closing the inherited descriptors the way `sweep` says.
    static func spawn(_ argv: [String], environment: [String: String], stdout: Int32, stderr: Int32,
                      detachment: Detachment, sweep: Sweep) throws(ProcessError) -> pid_t {
        guard let name = argv.first, !name.isEmpty else { throw ProcessError(argv: argv, message: "empty argv") }
        let variables = ChildEnvironment.with(environment)
        guard let path = ProcessRunner.resolveExecutable(name, path: variables["PATH"]) else {
            throw ProcessError(argv: argv, message: "not found on PATH")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        try prepare(&actions, stdout: stdout, stderr: stderr, sweep: sweep, argv: argv)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        prepare(&attributes, detachment: detachment)

        var pid: pid_t = 0
        let status = withCStrings(argv) { cArgv in
            withCStrings(variables.map { "\($0.key)=\($0.value)" }) { cEnv in
                posix_spawn(&pid, path, &actions, &attributes, cArgv, cEnv)
            }
        }
        guard status == 0 else { throw ProcessError(argv: argv, message: String(cString: strerror(status))) }
        return pid
    }

    /// Fds 0-2 as given, then every descriptor above 2 closed (the given ones included, once copied).
    private static func prepare(_ actions: inout posix_spawn_file_actions_t, stdout: Int32, stderr: Int32,
                                sweep: Sweep, argv: [String]) throws(ProcessError) {
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        switch sweep {
        case .closeFrom:
            guard let addCloseFrom = GNULibC.addCloseFrom else { throw ProcessError(argv: argv, message: "no closefrom action") }
            let status = addCloseFrom(&actions, 3)
            guard status == 0 else { throw ProcessError(argv: argv, message: "closefrom: \(String(cString: strerror(status)))") }
        case .listed:
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else {
                throw ProcessError(argv: argv, message: "cannot list /proc/self/fd to close what the child would inherit")
            }
            for fd in names.compactMap({ Int32($0) }) where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        }
    }

    /// Default signal handling, no blocked signals, and a new process group or session.
    private static func prepare(_ attributes: inout posix_spawnattr_t, detachment: Detachment) {
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        switch detachment {
        case .processGroup:
            flags |= POSIX_SPAWN_SETPGROUP
            posix_spawnattr_setpgroup(&attributes, 0)
        case .session:
            flags |= setSessionFlag
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in defaultedSignals { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { pointers.forEach { free($0) } }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
