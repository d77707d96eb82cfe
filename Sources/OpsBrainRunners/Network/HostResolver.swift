import Foundation
import Synchronization
import OpsBrainCore
import OpsBrainPlatform
#if canImport(Glibc)
import Glibc
#endif

/// One address `getaddrinfo` gave for a host: what `socket` and `connect` need.
struct SocketAddress: Sendable {
    var family: Int32
    var socketType: Int32
    var protocolNumber: Int32
    /// The raw `sockaddr_in` / `sockaddr_in6`.
    var storage: [UInt8]
}

/// Resolves host names with `getaddrinfo` without letting a slow resolver outlast a deadline.
///
/// `getaddrinfo` has no timeout of its own, so it runs on a helper thread; when the deadline
/// passes first the caller fails and the thread finishes (and frees its result) on its own.
enum HostResolver {
    /// The TCP addresses of `host`, in the resolver's order of preference.
    static func resolve(host: String, port: Int, deadline: ContinuousClock.Instant) throws -> [SocketAddress] {
        let label = TCPSocket.label(host: host, port: port)
        let box = ResolutionBox()
        let thread = Thread { box.finish(lookup(host: host, port: port, label: label)) }
        thread.start()
        guard box.wait(until: deadline) else { throw StepFailure("timed out resolving \(label)") }
        return try box.result()
    }

    private static func lookup(host: String, port: Int, label: String) -> Result<[SocketAddress], StepFailure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_protocol = Int32(IPPROTO_TCP)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0 else {
            return .failure(StepFailure("cannot resolve \(label): \(String(cString: gai_strerror(status)))"))
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var entry = list
        while let info = entry?.pointee {
            if let address = info.ai_addr {
                let storage = [UInt8](UnsafeRawBufferPointer(start: address, count: Int(info.ai_addrlen)))
                addresses.append(SocketAddress(family: info.ai_family, socketType: info.ai_socktype,
                                               protocolNumber: info.ai_protocol, storage: storage))
            }
            entry = info.ai_next
        }
        return addresses.isEmpty ? .failure(StepFailure("cannot resolve \(label): no addresses")) : .success(addresses)
    }
}

/// The hand-over of one resolution from the helper thread to the waiting caller.
private final class ResolutionBox: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let outcome = Mutex<Result<[SocketAddress], StepFailure>?>(nil)

    func finish(_ result: Result<[SocketAddress], StepFailure>) {
        outcome.withLock { $0 = result }
        done.signal()
    }

    /// True when the resolution finished before `deadline`.
    func wait(until deadline: ContinuousClock.Instant) -> Bool {
        let remaining = max(.zero, deadline - .now)
        return done.wait(timeout: .now() + .milliseconds(Int(remaining.milliseconds))) == .success
    }

    func result() throws -> [SocketAddress] {
        try outcome.withLock { $0! }.get()
    }
}
