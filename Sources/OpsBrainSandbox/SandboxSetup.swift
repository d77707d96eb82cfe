import Foundation
import OpsBrainPlatform
import OpsBrainPostgres

/// The set-up steps both stacks share: their own PostgreSQL on a TCP port, a secret in a file,
/// and a link to this executable for the service argv.
enum SandboxSetup {
    /// The stack's PostgreSQL cluster under `root`, listening on `port` (run as `postgres` or `nobody` under root).
    static func cluster(root: String, port: Int) throws -> EmbeddedCluster {
        let user = UserAccount.isRoot ? ["postgres", "nobody"].first { UserAccount.ids(of: $0) != nil } : nil
        return EmbeddedCluster(root: root, binaries: try PostgresBinaries.locate(), serviceUser: user, tcpPort: port)
    }

    /// Starts the cluster (refusing a port another program holds) and returns an administrator's connection.
    static func startCluster(_ cluster: EmbeddedCluster, port: Int) throws -> PostgresConnection {
        if case .running = try cluster.state() {} else { try SandboxServices.requireFreePort(port, for: "PostgreSQL") }
        try cluster.start()
        return try PostgresConnection(conninfo: cluster.connectionURL)
    }

    /// True when the cluster under `root` runs.
    static func isRunning(_ cluster: EmbeddedCluster?) -> Bool {
        guard let state = try? cluster?.state() else { return false }
        if case .running = state { return true }
        return false
    }

    /// Writes a new random secret (mode 0600) to `path` unless one is there.
    static func makeSecret(at path: String, what: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        let secret = (0..<4).map { _ in String(UInt64.random(in: .min ... .max), radix: 16) }.joined()
        guard FileManager.default.createFile(atPath: path, contents: Data(secret.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw SandboxError("cannot write the \(what) to \(path)")
        }
    }

    /// The secret in `path`; `hint` says how to make it when it is missing.
    static func readSecret(at path: String, what: String, hint: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw SandboxError("cannot read the \(what) at \(path): \(hint)")
        }
    }

    /// Points `link` at `executable`, replacing an older link.
    static func link(_ link: String, to executable: String) throws {
        try? FileManager.default.removeItem(atPath: link)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: URL(fileURLWithPath: executable).standardizedFileURL.path)
    }
}
