import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where `temp_cleanup` keeps what it moves, and for how long: outside the cleaned directory, on
/// its filesystem (a rename, so nothing is copied), one folder per execution, purged once the
/// rollback window has passed.
public struct TempQuarantine: Sendable {
    /// Ops Brain's state folder; its `quarantine` holds the executions' folders.
    public let stateFolder: String
    /// How long moved files can be put back; after it they are deleted.
    public let retention: Duration

    public static let defaultRetention: Duration = .seconds(24 * 3600)

    public init(stateFolder: String? = nil, retention: Duration = TempQuarantine.defaultRetention,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.stateFolder = stateFolder ?? Self.defaultStateFolder(environment)
        self.retention = retention
    }

    /// `$XDG_DATA_HOME/opsbrain`, else `~/.local/share/opsbrain` (where the embedded store lives too).
    static func defaultStateFolder(_ environment: [String: String]) -> String {
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") { return data + "/opsbrain" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share/opsbrain"
    }

    /// The quarantine for `directory` (on `device`): the state folder's when it is on the same
    /// filesystem, else a `.opsbrain-quarantine` folder beside the directory; never inside it.
    func base(for directory: String, device: UInt) -> String? {
        let candidates = [stateFolder + "/quarantine",
                          URL(fileURLWithPath: directory).deletingLastPathComponent().path + "/.opsbrain-quarantine"]
        return candidates.first { candidate in
            guard !candidate.hasPrefix(directory + "/") else { return false }
            return Self.device(ofNearestExisting: candidate) == device
        }
    }

    /// The device of `path`, or of its nearest existing ancestor (where it would be created).
    private static func device(ofNearestExisting path: String) -> UInt? {
        var current = path
        while true {
            var info = stat()
            if lstat(current, &info) == 0 { return UInt(info.st_dev) }
            let parent = URL(fileURLWithPath: current).deletingLastPathComponent().path
            if parent == current { return nil }
            current = parent
        }
    }

    /// Deletes the execution folders in `base` older than the retention; returns how many.
    @discardableResult
    func purgeExpired(in base: String, now: Date = Date()) -> Int {
        let cutoff = now.addingTimeInterval(-Double(retention.components.seconds))
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        var purged = 0
        for name in names where UUID(uuidString: name) != nil {
            let path = base + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR,
                  Double(info.st_mtim.tv_sec) < cutoff.timeIntervalSince1970 else { continue }
            if (try? FileManager.default.removeItem(atPath: path)) != nil { purged += 1 }
        }
        return purged
    }
}
