#if canImport(Glibc)
import Glibc
#endif

/// Reads a child's stdout and stderr pipes until they close, keeping at most `limit` bytes of each.
struct OutputCollector {
    private let stdout: Int32
    private let stderr: Int32
    private let limit: Int
    private var buffers: [Int32: [UInt8]]
    private var open: Set<Int32>
    private var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
    /// True when output beyond the limit was dropped.
    private(set) var truncated = false

    private static let chunkSize = 65536

    /// Collects from the read ends `stdout` and `stderr`, which it closes when done.
    init(stdout: Int32, stderr: Int32, limit: Int) {
        self.stdout = stdout
        self.stderr = stderr
        self.limit = limit
        buffers = [stdout: [], stderr: []]
        open = [stdout, stderr]
    }

    /// True once both pipes reached end of file.
    var finished: Bool { open.isEmpty }

    var stdoutText: String { String(decoding: buffers[stdout]!, as: UTF8.self) }
    var stderrText: String { String(decoding: buffers[stderr]!, as: UTF8.self) }

    /// Waits at most `timeout` for output, returning early when `wake` (if not -1) becomes readable,
    /// and reads what is ready.
    mutating func read(waitingAtMost timeout: Duration, orUntilReadable wake: Int32) {
        var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        if wake >= 0 { fds.append(pollfd(fd: wake, events: Int16(POLLIN), revents: 0)) }
        let millis = Int32(clamping: max(timeout.milliseconds, 1))
        guard poll(&fds, nfds_t(fds.count), millis) > 0 else { return }
        for entry in fds where entry.revents != 0 && entry.fd != wake {
            read(entry.fd)
        }
    }

    /// Closes the pipes (a grandchild may still hold their other ends).
    mutating func close() {
        for fd in [stdout, stderr] { _ = Glibc.close(fd) }
        open.removeAll()
    }

    private mutating func read(_ fd: Int32) {
        let count = Glibc.read(fd, &chunk, Self.chunkSize)
        if count < 0 && (errno == EINTR || errno == EAGAIN) { return }
        guard count > 0 else {
            open.remove(fd)
            return
        }
        let room = limit - buffers[fd]!.count
        if room < count { truncated = true }
        if room > 0 { buffers[fd]!.append(contentsOf: chunk[0..<min(room, count)]) }
    }
}
