import Foundation
import OpsBrainCore
#if canImport(Glibc)
import Glibc
#endif

/// An open directory that file operations work relative to, so no path is looked up twice and
/// no symlink below it is ever followed.
///
/// Names passed to its methods are single entries of this directory, never paths.
final class OpenDirectory {
    /// What `lstat` says about one entry.
    struct Entry {
        var mode: mode_t
        var size: Int
        /// Modification time, seconds since 1970.
        var modified: Double
        var device: UInt
        var inode: UInt
        var owner: uid_t
        var group: gid_t

        var isRegularFile: Bool { mode & S_IFMT == S_IFREG }
        var isDirectory: Bool { mode & S_IFMT == S_IFDIR }
        /// The permission bits (with setuid/setgid/sticky).
        var permissions: mode_t { mode & 0o7777 }
    }

    /// Why a move did not happen.
    enum MoveError: Error {
        /// The destination name is taken; nothing was moved.
        case destinationExists
        case failed(String)
    }

    let fd: Int32
    /// The path this was opened by, for messages.
    let path: String

    /// Opens the directory at `path` (symlinks in `path` itself are followed: it comes from the config).
    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StepFailure("cannot open directory \(path): \(OpenDirectory.lastError())") }
        self.fd = fd
        self.path = path
    }

    /// Opens the subdirectory `name`, refusing symlinks; creates it with `createMode` when given and missing.
    init(in parent: OpenDirectory, name: String, createMode: mode_t? = nil) throws {
        let path = parent.path + "/" + name
        if let createMode, mkdirat(parent.fd, name, createMode) != 0, errno != EEXIST {
            throw StepFailure("cannot create directory \(path): \(OpenDirectory.lastError())")
        }
        let fd = openat(parent.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw StepFailure("cannot open directory \(path): \(OpenDirectory.lastError())") }
        self.fd = fd
        self.path = path
    }

    deinit { close(fd) }

    /// The directory itself.
    func info() throws -> Entry {
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw StepFailure("cannot stat \(path): \(OpenDirectory.lastError())") }
        return Entry(status)
    }

    /// The entry `name` (never following a symlink), or nil when there is none.
    func info(_ name: String) throws -> Entry? {
        var status = stat()
        if fstatat(fd, name, &status, AT_SYMLINK_NOFOLLOW) == 0 { return Entry(status) }
        if errno == ENOENT { return nil }
        throw StepFailure("cannot stat \(path)/\(name): \(OpenDirectory.lastError())")
    }

    /// The names of the entries, without `.` and `..`.
    func names() throws -> [String] {
        let copy = dup(fd)
        guard copy >= 0, let stream = fdopendir(copy) else {
            throw StepFailure("cannot list \(path): \(OpenDirectory.lastError())")
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Moves the file `name` to `newName` in `destination` without ever replacing an existing entry.
    ///
    /// Uses a hard link and an unlink (atomic no-replace); where hard links are not allowed, checks
    /// the destination and renames.
    func move(_ name: String, to destination: OpenDirectory, as newName: String) throws(MoveError) {
        if linkat(fd, name, destination.fd, newName, 0) == 0 {
            guard unlinkat(fd, name, 0) == 0 else {
                let problem = OpenDirectory.lastError()
                unlinkat(destination.fd, newName, 0)
                throw .failed("cannot remove \(path)/\(name) after linking it: \(problem)")
            }
            return
        }
        switch errno {
        case EEXIST:
            throw .destinationExists
        case EPERM, EMLINK, EOPNOTSUPP:
            if (try? destination.info(newName)) != nil { throw .destinationExists }
            guard renameat(fd, name, destination.fd, newName) == 0 else {
                throw .failed("cannot move \(path)/\(name): \(OpenDirectory.lastError())")
            }
        default:
            throw .failed("cannot move \(path)/\(name) to \(destination.path)/\(newName): \(OpenDirectory.lastError())")
        }
    }

    /// Removes the file `name`.
    func remove(_ name: String) throws {
        guard unlinkat(fd, name, 0) == 0 else {
            throw StepFailure("cannot remove \(path)/\(name): \(OpenDirectory.lastError())")
        }
    }

    /// Removes the subdirectory `name` when it is empty; returns false when it is not (or cannot be) removed.
    @discardableResult
    func removeEmptyDirectory(_ name: String) -> Bool {
        unlinkat(fd, name, AT_REMOVEDIR) == 0
    }

    /// The text of the current `errno`.
    static func lastError() -> String { String(cString: strerror(errno)) }
}

extension OpenDirectory.Entry {
    init(_ status: stat) {
        self.init(mode: status.st_mode, size: Int(status.st_size),
                  modified: Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9,
                  device: UInt(status.st_dev), inode: UInt(status.st_ino), owner: status.st_uid, group: status.st_gid)
    }
}
