import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The processes that hold a file open, found in `/proc/*/fd`: who keeps writing into a log.
///
/// Only processes this one may inspect are seen (all of them as root, its own user's otherwise).
struct LogWriters {
    /// One open file descriptor of another process on the file.
    struct Holder: Equatable {
        var pid: pid_t
        var fd: Int
        /// Opened with O_APPEND: every write lands at the end, so truncating in place is safe.
        var appends: Bool
    }

    /// The descriptors, in other processes, open on the file with `device` and `inode`.
    static func holding(device: UInt64, inode: UInt64) -> [Holder] {
        let own = getpid()
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid_t($0) }.filter { $0 != own }
        return pids.flatMap { pid in descriptors(of: pid, device: device, inode: inode) }
    }

    /// The holders of the file at `path`, or none when it does not exist.
    static func holding(path: String) -> [Holder] {
        var info = stat()
        guard stat(path, &info) == 0 else { return [] }
        return holding(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    private static func descriptors(of pid: pid_t, device: UInt64, inode: UInt64) -> [Holder] {
        let folder = "/proc/\(pid)/fd"
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).compactMap { name in
            var info = stat()
            guard let fd = Int(name), stat(folder + "/" + name, &info) == 0,
                  UInt64(info.st_dev) == device, UInt64(info.st_ino) == inode else { return nil }
            return Holder(pid: pid, fd: fd, appends: appends(pid: pid, fd: fd))
        }
    }

    /// Reads the descriptor's `flags:` (octal) from /proc/PID/fdinfo/FD.
    private static func appends(pid: pid_t, fd: Int) -> Bool {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/fdinfo/\(fd)", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags:") }),
              let flags = Int(line.dropFirst("flags:".count).trimmingCharacters(in: .whitespaces), radix: 8) else { return false }
        return flags & Int(O_APPEND) != 0
    }
}
