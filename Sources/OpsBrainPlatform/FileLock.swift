import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock on a file (flock), held until released or the process ends.
public final class FileLock {
    private let descriptor: Int32

    /// Opens (creating if needed) and locks `path`, waiting for other holders.
    public init(path: String) throws {
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ProcessError(argv: ["flock", path], message: String(cString: strerror(errno)))
        }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                let message = String(cString: strerror(errno))
                close(descriptor)
                throw ProcessError(argv: ["flock", path], message: message)
            }
        }
    }

    /// Releases the lock.
    public func unlock() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

/// Facts about operating-system users, for running a server as an unprivileged account.
public enum UserAccount {
    /// True when this process runs as root.
    public static var isRoot: Bool { geteuid() == 0 }

    /// The name of the effective user.
    public static var currentName: String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "unknown"
    }

    /// The uid and gid of `name`, when that user exists.
    public static func ids(of name: String) -> (uid: uid_t, gid: gid_t)? {
        guard let entry = getpwnam(name) else { return nil }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    /// The home directory of the effective user.
    public static var homeDirectory: String {
        if let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty { return home }
        if let entry = getpwuid(geteuid()), let dir = entry.pointee.pw_dir { return String(cString: dir) }
        return "/"
    }
}
