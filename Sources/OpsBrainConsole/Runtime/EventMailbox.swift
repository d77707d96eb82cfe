import Foundation
import Synchronization

/// Something that happened off the UI thread.
public enum ConsoleEvent: Sendable, Equatable {
    case dryRunFinished(UUID)
    case dryRunFailed(String)
    case engineStopped(String?)
    /// SIGTERM, SIGHUP or SIGINT: leave cleanly.
    case signal(Int32)
}

/// Hands events to the UI thread: a locked queue plus a self-pipe that wakes its `poll()`.
public final class EventMailbox: Sendable {
    private let queue = Mutex<[ConsoleEvent]>([])
    /// What the reader read, for the UI thread to put into the state.
    private let updates = Mutex<[ConsoleReader.Update]>([])
    /// The descriptor to include in `poll()`.
    public let readDescriptor: Int32
    private let writeDescriptor: Int32

    public init() throws {
        var descriptors: [Int32] = [0, 0]
        guard pipe(&descriptors) == 0 else { throw TerminalError("cannot create the wake-up pipe: \(String(cString: strerror(errno)))") }
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        readDescriptor = descriptors[0]
        writeDescriptor = descriptors[1]
    }

    deinit {
        close(readDescriptor)
        close(writeDescriptor)
    }

    /// Queues an event and wakes the UI thread (from any thread).
    public func post(_ event: ConsoleEvent) {
        queue.withLock { $0.append(event) }
        ring()
    }

    /// Queues the reader's update and wakes the UI thread.
    func post(update: @escaping ConsoleReader.Update) {
        updates.withLock { $0.append(update) }
        ring()
    }

    /// Wakes the UI thread's `poll()`.
    private func ring() {
        var byte: UInt8 = 1
        _ = write(writeDescriptor, &byte, 1)
    }

    /// The reader's updates not yet applied, oldest first.
    func drainUpdates() -> [ConsoleReader.Update] {
        updates.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
    }

    /// Empties the pipe and returns the queued events, oldest first.
    public func drain() -> [ConsoleEvent] {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(readDescriptor, &buffer, buffer.count) > 0 {}
        return queue.withLock { events in
            defer { events.removeAll() }
            return events
        }
    }
}
