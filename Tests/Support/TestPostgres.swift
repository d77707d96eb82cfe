import Foundation
import OpsBrainPlatform
import OpsBrainPostgres

/// A real PostgreSQL for tests: `OPSBRAIN_TEST_DATABASE_URL` (set by `make test`), else a
/// throwaway embedded cluster started once per test process. Each caller gets its own database.
public enum TestPostgres {
    nonisolated(unsafe) private static var sharedURL: String?
    nonisolated(unsafe) private static var ownCluster: EmbeddedCluster?
    private static let lock = NSLock()

    /// The admin URL of the test server.
    public static func serverURL() throws -> String {
        lock.lock()
        defer { lock.unlock() }
        if let sharedURL { return sharedURL }
        if let url = ProcessInfo.processInfo.environment["OPSBRAIN_TEST_DATABASE_URL"], !url.isEmpty {
            sharedURL = url
            return url
        }
        let cluster = try makeCluster(root: TemporaryDirectory.make(prefix: "opsbrain-testpg") + "/opsbrain")
        try cluster.start()
        ownCluster = cluster
        atexit { try? TestPostgres.ownClusterForCleanup?.stop() }
        sharedURL = cluster.connectionURL
        return cluster.connectionURL
    }

    static var ownClusterForCleanup: EmbeddedCluster? { ownCluster }

    /// An embedded cluster rooted at `root` (not started), run as `postgres` when root.
    public static func makeCluster(root: String) throws -> EmbeddedCluster {
        let user = UserAccount.isRoot ? ["postgres", "nobody"].first { UserAccount.ids(of: $0) != nil } : nil
        return EmbeddedCluster(root: root, binaries: try PostgresBinaries.locate(), serviceUser: user)
    }

    /// Creates a fresh, empty database and returns its URL.
    public static func freshDatabase(name prefix: String = "t") throws -> String {
        let server = try serverURL()
        let admin = try PostgresConnection(conninfo: server)
        defer { admin.close() }
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        try admin.query("CREATE DATABASE \"\(name)\"")
        return replaceDatabase(in: server, with: name)
    }

    /// Creates a fresh database, migrated to the current schema, and connects to it.
    public static func migratedConnection(applicationName: String = "opsbrain-test") throws -> (PostgresConnection, String) {
        let url = try freshDatabase()
        let connection = try PostgresConnection(conninfo: url, applicationName: applicationName)
        try Migrator().migrate(connection)
        return (connection, url)
    }

    /// Swaps the database name in a libpq URL.
    static func replaceDatabase(in url: String, with name: String) -> String {
        guard let scheme = url.range(of: "://") else { return url + " dbname=\(name)" }
        let afterScheme = url[scheme.upperBound...]
        guard let slash = afterScheme.firstIndex(of: "/") else { return url + "/\(name)" }
        let tail = url[slash...].dropFirst()
        let query = tail.firstIndex(of: "?").map { String(tail[$0...]) } ?? ""
        return String(url[..<slash]) + "/" + name + query
    }
}

/// Temporary directories that the unprivileged PostgreSQL user can traverse.
public enum TemporaryDirectory {
    /// Makes a new directory under /tmp with mode 0755.
    public static func make(prefix: String) throws -> String {
        let path = "/tmp/\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        return path
    }
}

/// Finds the built `opsbrain` executable for end-to-end tests.
public enum OpsBrainBinary {
    public static func path() -> String? {
        if let explicit = ProcessInfo.processInfo.environment["OPSBRAIN_BIN"] { return explicit }
        var directory = URL(fileURLWithPath: Bundle.main.bundlePath)
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("opsbrain").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        let fromCwd = FileManager.default.currentDirectoryPath + "/.build/debug/opsbrain"
        return FileManager.default.isExecutableFile(atPath: fromCwd) ? fromCwd : nil
    }
}
