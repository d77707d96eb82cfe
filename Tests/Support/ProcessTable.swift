import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What /proc says about live processes, for tests that check what a child got and whether it is gone.
public enum ProcessTable {
    /// One line of /proc/PID/stat, reduced to what the tests ask.
    public struct Entry {
        public var pid: pid_t
        public var state: Character
        public var parent: pid_t
        public var group: pid_t
    }

    /// The entry of `pid`, or nil when it does not exist.
    public static func entry(_ pid: pid_t) -> Entry? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 2, let state = fields[0].first, let parent = pid_t(fields[1]), let group = pid_t(fields[2])
        else { return nil }
        return Entry(pid: pid, state: state, parent: parent, group: group)
    }

    /// Every process that exists and is not a zombie.
    public static func live() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { pid_t($0) }.compactMap(entry).filter { $0.state != "Z" }
    }

    /// The argv of `pid` as /proc/PID/cmdline holds it.
    public static func argv(_ pid: pid_t) -> [String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return [] }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The live direct child of this process running exactly `argv`, waiting up to `timeout` for it to appear.
    public static func child(running argv: [String], timeout: Duration = .seconds(5)) -> pid_t? {
        let deadline = ContinuousClock.now + timeout
        repeat {
            let found = live().first { $0.parent == getpid() && Self.argv($0.pid) == argv }
            if let found { return found.pid }
            usleep(20_000)
        } while ContinuousClock.now < deadline
        return nil
    }

    /// True once no live process is left in process group `group`, polling for up to `timeout`.
    public static func groupEnds(_ group: pid_t, within timeout: Duration = .seconds(3)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        repeat {
            if !live().contains(where: { $0.group == group }) { return true }
            usleep(20_000)
        } while ContinuousClock.now < deadline
        return false
    }

    /// The open descriptors of `pid`, each with what it points to.
    public static func descriptors(of pid: pid_t) -> [Int32: String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        var result: [Int32: String] = [:]
        for name in names {
            guard let fd = Int32(name) else { continue }
            result[fd] = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(name)")) ?? "?"
        }
        return result
    }
}
