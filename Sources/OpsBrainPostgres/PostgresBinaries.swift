import Foundation
import OpsBrainPlatform

/// Finds the PostgreSQL server programs (initdb, pg_ctl) on PATH or under /usr/lib/postgresql.
public struct PostgresBinaries: Sendable {
    public var initdb: String
    public var pgCtl: String

    /// Looks on PATH first, then in the newest /usr/lib/postgresql/N/bin.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PostgresBinaries {
        if let initdb = ProcessRunner.resolveExecutable("initdb", path: environment["PATH"]),
           let pgCtl = ProcessRunner.resolveExecutable("pg_ctl", path: environment["PATH"]) {
            return PostgresBinaries(initdb: initdb, pgCtl: pgCtl)
        }
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        for version in versions.sorted(by: { (Int($0) ?? 0) > (Int($1) ?? 0) }) {
            let bin = "\(root)/\(version)/bin"
            if access("\(bin)/initdb", X_OK) == 0, access("\(bin)/pg_ctl", X_OK) == 0 {
                return PostgresBinaries(initdb: "\(bin)/initdb", pgCtl: "\(bin)/pg_ctl")
            }
        }
        throw EmbeddedClusterError(
            "PostgreSQL server programs (initdb, pg_ctl) not found on PATH or under /usr/lib/postgresql/*/bin: "
            + "install the 'postgresql' package (apt-get install -y postgresql), or set DATABASE_URL")
    }
}

/// A problem with the embedded cluster, worded for the person at the terminal.
public struct EmbeddedClusterError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
