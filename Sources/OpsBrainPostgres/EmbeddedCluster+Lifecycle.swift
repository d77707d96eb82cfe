import Foundation
import Logging
import OpsBrainPlatform

extension EmbeddedCluster {
    private static let logger = Logger(label: "opsbrain.embedded")

    /// Creates the cluster if needed and starts it if stopped; safe to call from several processes.
    public func start() throws {
        try prepareRoot()
        let lock = try FileLock(path: lockFile)
        defer { lock.unlock() }
        if case .running = try state() { return }
        try checkOwnership()
        if !FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") {
            try initialize()
        }
        try launch()
        try createDatabaseIfMissing()
    }

    /// Stops the server (fast shutdown) if it runs.
    public func stop() throws {
        guard FileManager.default.fileExists(atPath: root) else { return }
        let lock = try FileLock(path: lockFile)
        defer { lock.unlock() }
        guard case .running = try state() else { return }
        let output = try runAsService([binaries.pgCtl, "stop", "-D", dataDirectory, "-m", "fast", "-w", "-t", "60"],
                                      timeout: .seconds(90))
        guard output.exitCode == 0 else {
            throw EmbeddedClusterError("pg_ctl stop failed: \(output.stderr.foldedLibpqMessage)")
        }
    }

    /// Restarts the server (used by tests of reconnecting clients).
    public func restart() throws {
        let output = try runAsService([binaries.pgCtl, "restart", "-D", dataDirectory, "-m", "fast", "-w",
                                       "-t", "60", "-l", logFile], timeout: .seconds(90))
        guard output.exitCode == 0 else {
            throw EmbeddedClusterError("pg_ctl restart failed: \(output.stderr.foldedLibpqMessage)")
        }
    }

    /// Asks pg_ctl whether the server runs.
    public func state() throws -> EmbeddedClusterState {
        guard FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") else { return .notInitialized }
        let output = try runAsService([binaries.pgCtl, "status", "-D", dataDirectory], timeout: .seconds(15))
        switch output.exitCode {
        case 0:
            let pid = output.stdout.split(whereSeparator: { !$0.isNumber }).first.flatMap { Int($0) } ?? 0
            return .running(pid: pid)
        case 3: return .stopped
        default:
            throw EmbeddedClusterError("\(dataDirectory) is not a usable PostgreSQL data directory: "
                                       + (output.stdout + output.stderr).foldedLibpqMessage)
        }
    }

    // MARK: Steps

    private func prepareRoot() throws {
        let socketPath = socketDirectory + "/.s.PGSQL.5432"
        guard socketPath.utf8.count < 108 else {
            throw EmbeddedClusterError("the socket path \(socketPath) is longer than unix sockets allow (107 bytes): "
                                       + "choose a shorter XDG_DATA_HOME")
        }
        let parent = (root as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        for directory in [root, socketDirectory] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        guard let user = serviceUser, let ids = UserAccount.ids(of: user) else { return }
        try checkReachable(by: user)
        for path in [root, socketDirectory] {
            guard chown(path, ids.uid, ids.gid) == 0 else {
                throw EmbeddedClusterError("cannot hand \(path) to user \(user): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Fails when an ancestor of the root is closed to the service user (root's home is 0700).
    private func checkReachable(by user: String) throws {
        var path = (root as NSString).deletingLastPathComponent
        while path != "/" && !path.isEmpty {
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & 0o001 == 0 {
                throw EmbeddedClusterError("the embedded PostgreSQL runs as user '\(user)', which cannot reach \(root) "
                                           + "(\(path) is private): set XDG_DATA_HOME to a directory it can reach, "
                                           + "or set DATABASE_URL")
            }
            path = (path as NSString).deletingLastPathComponent
        }
    }

    /// Refuses a data directory that Ops Brain did not make; never deletes anything.
    private func checkOwnership() throws {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dataDirectory)) ?? []
        guard !files.isEmpty else { return }
        guard files.contains("PG_VERSION") else {
            throw EmbeddedClusterError("\(dataDirectory) exists, is not empty and is not a PostgreSQL data directory: "
                                       + "refusing to touch it (move it away or set XDG_DATA_HOME)")
        }
        guard files.contains(EmbeddedCluster.markerName) else {
            throw EmbeddedClusterError("\(dataDirectory) is a PostgreSQL data directory that Ops Brain did not create: "
                                       + "refusing to use it (set DATABASE_URL to use an existing server)")
        }
    }

    private func initialize() throws {
        EmbeddedCluster.logger.info("creating the embedded PostgreSQL cluster", metadata: ["path": "\(dataDirectory)"])
        let output = try runAsService([binaries.initdb, "-D", dataDirectory, "-U", EmbeddedCluster.superuser,
                                       "--auth=trust", "-E", "UTF8", "--locale=C", "--no-instructions"],
                                      timeout: .seconds(180))
        guard output.exitCode == 0 else {
            throw EmbeddedClusterError("initdb failed: \((output.stderr + output.stdout).foldedLibpqMessage)")
        }
        let listen = tcpPort.map { "# Ops Brain embedded cluster: the unix socket and 127.0.0.1.\nlisten_addresses = '127.0.0.1'\nport = \($0)" }
            ?? "# Ops Brain embedded cluster: unix socket only, no TCP.\nlisten_addresses = ''"
        let settings = """

            \(listen)
            unix_socket_directories = '\(socketDirectory)'
            unix_socket_permissions = 0700
            max_connections = 200
            fsync = on

            """
        try appendAsService(settings, to: dataDirectory + "/postgresql.conf")
        try appendAsService("created by opsbrain\n", to: dataDirectory + "/" + EmbeddedCluster.markerName)
    }

    private func launch() throws {
        let output = try runAsService([binaries.pgCtl, "start", "-D", dataDirectory, "-l", logFile, "-w", "-t", "60"],
                                      timeout: .seconds(90))
        guard output.exitCode == 0 else {
            let logTail = (try? String(contentsOfFile: logFile, encoding: .utf8))
                .map { $0.split(separator: "\n").suffix(3).joined(separator: " | ") } ?? ""
            throw EmbeddedClusterError("the embedded PostgreSQL in \(dataDirectory) did not start "
                                       + "(nothing was deleted): \(output.stderr.foldedLibpqMessage) \(logTail)")
        }
    }

    private func createDatabaseIfMissing() throws {
        let admin = try PostgresConnection(conninfo: connectionURL.replacingOccurrences(
            of: "/\(EmbeddedCluster.databaseName)?", with: "/postgres?"))
        defer { admin.close() }
        let exists = try admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [EmbeddedCluster.databaseName])
        if exists.rows.isEmpty {
            try admin.query("CREATE DATABASE \(quoteIdentifier(EmbeddedCluster.databaseName))")
        }
    }

    // MARK: Running as the service user

    /// Runs a server program (as the service user when there is one) with the C locale, so its
    /// messages can be read; no PG* variable reaches it, the data directory is always given.
    private func runAsService(_ argv: [String], timeout: Duration) throws -> ProcessOutput {
        var command = argv
        if let user = serviceUser {
            command = ["runuser", "-u", user, "--"] + argv
        }
        return try ProcessRunner.run(command, environment: ["LC_ALL": "C"], timeout: timeout)
    }

    private func appendAsService(_ text: String, to path: String) throws {
        guard let handle = FileHandle(forWritingAtPath: path) ?? createFile(path) else {
            throw EmbeddedClusterError("cannot write \(path)")
        }
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        handle.closeFile()
        if let user = serviceUser, let ids = UserAccount.ids(of: user) { chown(path, ids.uid, ids.gid) }
    }

    private func createFile(_ path: String) -> FileHandle? {
        _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        return FileHandle(forWritingAtPath: path)
    }
}
