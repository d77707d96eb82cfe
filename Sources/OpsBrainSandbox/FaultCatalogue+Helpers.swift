import Foundation
import OpsBrainPostgres
import OpsBrainRunners

extension FaultCatalogue {
    static func writeFile(_ path: String, bytes: Int, modified: Date) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x2e, count: bytes)) else {
            throw SandboxError("cannot write \(path)")
        }
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: path)
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// used_memory as a percentage of maxmemory, from INFO memory.
    static func redisUsedPercent(_ redis: RESPClient) throws -> Double {
        let info = try redis.command(["INFO", "memory"]).string ?? ""
        func field(_ name: String) -> Double {
            info.split(whereSeparator: \.isNewline).first { $0.hasPrefix(name + ":") }
                .flatMap { Double($0.dropFirst(name.count + 1)) } ?? 0
        }
        let limit = field("maxmemory")
        return limit > 0 ? 100 * field("used_memory") / limit : 0
    }

    /// Runs `body` on a connection to the sandbox's Redis, closed afterwards.
    static func withRedis<T>(_ layout: SandboxLayout, timeout: Duration = .seconds(5), _ body: (RESPClient) throws -> T) throws -> T {
        try withRedis(url: layout.redisURL, timeout: timeout, body)
    }

    /// Runs `body` on a connection to the Redis at `url`, closed afterwards.
    static func withRedis<T>(url: String, timeout: Duration = .seconds(5), _ body: (RESPClient) throws -> T) throws -> T {
        let redis = try RESPClient(url: url, deadline: .now + timeout)
        defer { redis.close() }
        return try body(redis)
    }

    /// Appends stack traces to the log at `path` until it holds `untilBytes`.
    static func appendTraces(to path: String, untilBytes: UInt64) throws {
        guard let handle = FileHandle(forWritingAtPath: path) else { throw SandboxError("no log at \(path)") }
        defer { handle.closeFile() }
        handle.seekToEndOfFile()
        let trace = Data(String(repeating: "ERROR OrderService: NullPointerException at com.shop.orders.Checkout.total(Checkout.java:118)\n", count: 10_000).utf8)
        while handle.offsetInFile < untilBytes { handle.write(trace) }
    }

    /// Writes 2 KiB values (one in four under `scratchPrefix`, the rest under `cachePrefix`) until
    /// the Redis at `url` uses 90% of its maxmemory.
    static func fillRedis(url: String, cachePrefix: String, scratchPrefix: String) throws {
        try withRedis(url: url, timeout: .seconds(60)) { redis in
            let value = [UInt8](repeating: UInt8(ascii: "x"), count: 2048)
            var batch = 0
            while try redisUsedPercent(redis) < 90 {
                let commands = (0..<200).map { index -> [[UInt8]] in
                    let prefix = index % 4 == 0 ? scratchPrefix : cachePrefix
                    return [Array("SET".utf8), Array("\(prefix):\(batch)-\(index)".utf8), value]
                }
                _ = try redis.pipeline(commands)
                batch += 1
            }
        }
    }

    /// Replaces the cached answers of the first `routes` API routes with bytes the app cannot read.
    static func poison(routes: Int, layout: SandboxLayout) throws {
        try withRedis(layout) { redis in
            for route in SandboxLayout.routes.prefix(routes) {
                _ = try redis.command(["SET", "cache:api:\(route)", "\u{1}corrupt-serialized-object"])
            }
        }
    }

    /// True when every API route answers 200.
    static func allRoutesAnswer(_ layout: SandboxLayout) -> Bool {
        SandboxLayout.routes.allSatisfy { route in
            (try? HTTPClient().send(HTTPRequest(method: "GET", url: layout.appURL + "/api/\(route)", timeout: .seconds(2))))?.status == 200
        }
    }
}

extension FaultCatalogue {
    /// Opens a session named `application` on the app database, begins a transaction and reads one
    /// row: what a person who walked away from psql leaves behind, for as long as the caller keeps it.
    public static func holdTransaction(application: String, databaseURL: String) throws -> PostgresConnection {
        let session = try PostgresConnection(conninfo: databaseURL, applicationName: application)
        _ = try session.query("BEGIN")
        _ = try session.query("SELECT count(*) FROM pg_class")
        return session
    }
}
