import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainPlatform
import OpsBrainPostgres
import OpsBrainRunners
import OpsBrainTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Webhook intake to committed rows, against pgbench doing the same single-row inserts.
enum IntakeBench {
    static let concurrency = 4
    static let seconds = 5.0
    static let rounds = 3

    static func run(report: BenchReport) throws {
        let (connection, url) = try TestPostgres.migratedConnection(applicationName: "opsbrain-bench")
        defer { connection.close() }
        guard let server = try IntakeAssembly.start(listen: "127.0.0.1:0", config: OpsBrainConfig(), conninfo: url,
                                                    metrics: MetricsRegistry(), isLeader: { true }, environment: [:]) else { return }
        defer { server.stop() }
        // Alternate three rounds of each, so both see the same machine noise; report the medians.
        var baselines: [Double] = []
        var runs: [Load] = []
        for _ in 0..<rounds {
            baselines.append(try pgbenchRate(url: url))
            runs.append(load(port: server.port, ratePerClient: nil))
        }
        let baseline = Measure.percentile(baselines, 50)
        let full = runs.sorted { $0.rate < $1.rate }[rounds / 2]
        let stored = try connection.query("SELECT count(*) AS n FROM intelligence_alerts WHERE source = 'webhook'").first?.int("n") ?? 0
        let half = load(port: server.port, ratePerClient: baseline / 2 / Double(concurrency))
        let p99 = Measure.percentile(half.latencies, 99)
        report.add("Intake", note: """
            \(concurrency) clients, each on one keep-alive connection (as pgbench keeps its sessions), POST generic alerts \
            (unique fingerprints) for \(Int(seconds)) s, in \(rounds) rounds alternating with the baseline (medians reported; \
            the rounds' ratios: \(zip(runs, baselines).map { Measure.format($0.rate / $1, 2) }.joined(separator: ", "))); every 200 is a committed row \
            (\(stored) rows stored in the full-speed rounds; \(full.errors) requests failed where the server closed a connection \
            after its 1,000th request and the client reconnected). Baseline: pgbench -c \(concurrency) -j \(concurrency) \
            running the equivalent single-row INSERT into intelligence_alerts as a prepared statement (as intake does) on the same server, in the same run. Latency is \
            measured at half the baseline rate.
            """, [
            BenchFigure(name: "sustained intake", value: "\(Measure.format(full.rate)) alerts/s", baseline: "\(Measure.format(baseline)) inserts/s pgbench",
                        ratio: Measure.format(full.rate / baseline, 2), target: "≥ 0.8×", met: full.rate / baseline >= 0.8),
            BenchFigure(name: "p99 request latency at half rate", value: "\(Measure.format(p99, 2)) ms",
                        baseline: "\(Measure.format(Measure.percentile(half.latencies, 50), 2)) ms p50",
                        ratio: Measure.format(p99 / max(0.001, Measure.percentile(half.latencies, 50)), 2),
                        target: "≤ 50 ms", met: p99 <= 50),
        ])
    }

    /// pgbench's transactions per second for a one-row INSERT like intake's.
    static func pgbenchRate(url: String) throws -> Double {
        let script = try TemporaryDirectory.make(prefix: "ob-pgbench") + "/insert.sql"
        try """
            INSERT INTO intelligence_alerts (source, alert_type, title, severity, labels, evidence, fingerprint)
            VALUES ('pgbench', 'bench', 'pgbench alert', 'high', '{}', '{}', md5(random()::text));
            """.write(toFile: script, atomically: true, encoding: .utf8)
        let output = try ProcessRunner.run(["pgbench", "-n", "-M", "prepared", "-f", script, "-c", String(concurrency), "-j", String(concurrency),
                                            "-T", String(Int(seconds)), url], timeout: .seconds(60))
        guard let line = output.stdout.split(separator: "\n").first(where: { $0.hasPrefix("tps") }),
              let tps = line.split(separator: " ").dropFirst(2).first.flatMap({ Double($0) }) else {
            throw StepFailure("pgbench gave no tps: \(output.stderr)")
        }
        return tps
    }

    struct Load {
        var rate: Double
        var latencies: [Double]
        var errors: Int
    }

    /// Posts from `concurrency` threads for `seconds`, each over one keep-alive connection,
    /// optionally paced to a rate per client.
    static func load(port: Int, ratePerClient: Double?) -> Load {
        let results = Results()
        let group = DispatchGroup()
        let start = Date()
        for client in 0..<concurrency {
            group.enter()
            Thread {
                defer { group.leave() }
                guard var socket = BlockingSocket(port: port) else {
                    results.record(nil)
                    return
                }
                var sent = 0
                while Date().timeIntervalSince(start) < seconds {
                    if let rate = ratePerClient {
                        let due = start.addingTimeInterval(Double(sent) / rate)
                        if due > Date() { Thread.sleep(until: due) }
                    }
                    let body = #"{"type": "bench_alert", "title": "bench \#(client)-\#(sent)", "fingerprint": "bench-\#(client)-\#(sent)-\#(UUID().uuidString)"}"#
                    let request = "POST /api/v1/alerts HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
                        + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
                    var ok = false
                    let elapsed = Measure.nanoseconds { ok = exchange(socket, Array(request.utf8)) }
                    results.record(ok ? elapsed / 1e6 : nil)
                    sent += 1
                    if !ok, let fresh = BlockingSocket(port: port) {
                        // The server closes a connection after many requests; clients reconnect.
                        socket.close()
                        socket = fresh
                    }
                }
                socket.close()
            }.start()
        }
        group.wait()
        return results.load(duration: Date().timeIntervalSince(start))
    }

    /// Sends one request and reads its whole response; true for a 200. Parses bytes only, so the
    /// client costs as little CPU as pgbench's does.
    static func exchange(_ socket: BlockingSocket, _ request: [UInt8]) -> Bool {
        guard socket.write(request) else { return false }
        var received: [UInt8] = []
        while true {
            guard let chunk = socket.read(), !chunk.isEmpty else { return false }
            received += chunk
            guard let headEnd = headEnd(received) else { continue }
            if received.count - headEnd >= contentLength(received[..<headEnd]) {
                return received.count > 12 && received[9] == UInt8(ascii: "2") && received[10] == UInt8(ascii: "0")
                    && received[11] == UInt8(ascii: "0")
            }
        }
    }

    /// The index just past the blank line ending the head.
    static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index + 4
        }
        return nil
    }

    /// The Content-Length header's value (the server always sends one).
    static func contentLength(_ head: ArraySlice<UInt8>) -> Int {
        let name = Array("content-length:".utf8)
        var lineStart = head.startIndex
        for index in head.indices where head[index] == 10 {
            let line = head[lineStart..<index]
            if line.count > name.count, zip(line.prefix(name.count), name).allSatisfy({ ($0 | 0x20) == $1 }) {
                return Int(String(decoding: line.dropFirst(name.count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
            }
            lineStart = index + 1
        }
        return 0
    }

    /// A plain blocking client socket with TCP_NODELAY and a 10 s receive timeout: the least a client can cost.
    final class BlockingSocket {
        private let descriptor: Int32

        init?(port: Int) {
            descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { Glibc.close(descriptor); return nil }
            var one: Int32 = 1
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        func write(_ bytes: [UInt8]) -> Bool {
            bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
        }

        func read() -> [UInt8]? {
            var buffer = [UInt8](repeating: 0, count: 65536)
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            return count > 0 ? Array(buffer[..<count]) : nil
        }

        func close() { Glibc.close(descriptor) }
    }

    /// Latencies collected from several threads.
    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var latencies: [Double] = []
        private var errors = 0

        func record(_ latency: Double?) {
            lock.withLock { if let latency { latencies.append(latency) } else { errors += 1 } }
        }

        func load(duration: TimeInterval) -> Load {
            lock.withLock { Load(rate: Double(latencies.count) / duration, latencies: latencies, errors: errors) }
        }
    }
}
