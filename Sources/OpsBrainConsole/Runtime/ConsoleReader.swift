import Dispatch
import Foundation
import OpsBrainPostgres
import Synchronization

/// The console's database work, on a thread and a connection of its own: keys answer while a query runs.
///
/// The UI thread submits jobs; they run here one after another, and each hands back what to change
/// in the session. The mailbox wakes the UI thread, which applies the changes in order.
final class ConsoleReader: Sendable {
    /// What a job changes in the session, applied on the UI thread.
    typealias Update = @Sendable (ConsoleSession) -> Void
    /// A job: database work, returning its update. It asks for the reader's connection (made on
    /// first use, made again after a failure) with the function it is given, which may throw.
    typealias Job = @Sendable (_ connect: () throws -> PostgresConnection) -> Update

    private let conninfo: String
    private let mailbox: EventMailbox
    private let jobs = Mutex<[Job]>([])
    /// Jobs submitted whose update the UI thread has not applied yet.
    private let unapplied = Mutex(0)
    private let wake = DispatchSemaphore(value: 0)
    private let stopSignal = Mutex(false)

    init(conninfo: String, mailbox: EventMailbox) {
        self.conninfo = conninfo
        self.mailbox = mailbox
        let thread = Thread { [self] in work() }
        thread.name = "opsbrain-console-reader"
        thread.start()
    }

    /// Queues `job`; its update arrives through the mailbox.
    func submit(_ job: @escaping Job) {
        unapplied.withLock { $0 += 1 }
        jobs.withLock { $0.append(job) }
        wake.signal()
    }

    /// True while a submitted job's update has not been applied.
    var isBusy: Bool { unapplied.withLock { $0 > 0 } }

    /// Counts an update as applied (the UI thread calls this after running it).
    func applied() { unapplied.withLock { $0 = max(0, $0 - 1) } }

    /// Ends the thread after the job in hand.
    func stop() {
        stopSignal.withLock { $0 = true }
        wake.signal()
    }

    private func work() {
        var connection: PostgresConnection?
        while true {
            wake.wait()
            if stopSignal.withLock({ $0 }) { break }
            guard let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
            mailbox.post(update: job {
                let current = try connection ?? PostgresConnection(conninfo: conninfo, applicationName: "opsbrain-console-reader")
                connection = current
                return current
            })
        }
        connection?.close()
    }
}
