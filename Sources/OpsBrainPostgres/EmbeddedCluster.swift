import Foundation
import Logging
import OpsBrainPlatform

/// The private PostgreSQL cluster Ops Brain runs when no database is configured.
///
/// It lives in one folder: `postgres/` (the data directory), `run/` (the unix socket; no TCP
/// unless `tcpPort` is set, as the demo sandbox's application database does), `postgres.log`
/// and a lock file. As root the server runs as an unprivileged user (`postgres`, else `nobody`),
/// because initdb refuses root.
public struct EmbeddedCluster: Sendable {
    public static let databaseName = "opsbrain"
    public static let superuser = "opsbrain"
    /// A file initdb never writes: proof that Ops Brain made this data directory.
    static let markerName = "opsbrain-cluster"

    public var root: String
    public var binaries: PostgresBinaries
    /// The OS user that owns and runs the server; nil runs it as the current user.
    public var serviceUser: String?
    /// When set, the server also listens on 127.0.0.1 at this port (trust authentication, like the
    /// socket); fixed when the cluster is first created. Ops Brain's own store never sets it.
    public var tcpPort: Int?

    public var dataDirectory: String { root + "/postgres" }
    public var socketDirectory: String { root + "/run" }
    public var logFile: String { root + "/postgres.log" }
    var lockFile: String { root + "/cluster.lock" }

    public init(root: String, binaries: PostgresBinaries, serviceUser: String?, tcpPort: Int? = nil) {
        self.root = root
        self.binaries = binaries
        self.serviceUser = serviceUser
        self.tcpPort = tcpPort
    }

    /// The default cluster: `$XDG_DATA_HOME/opsbrain` (else `~/.local/share/opsbrain`);
    /// as root without XDG_DATA_HOME, `/var/lib/opsbrain`, since root's home is private.
    public static func defaultCluster(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> EmbeddedCluster {
        let binaries = try PostgresBinaries.locate(environment: environment)
        let root: String
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
            root = xdg + "/opsbrain"
        } else if UserAccount.isRoot {
            root = "/var/lib/opsbrain"
        } else {
            root = UserAccount.homeDirectory + "/.local/share/opsbrain"
        }
        let user = UserAccount.isRoot ? ["postgres", "nobody"].first { UserAccount.ids(of: $0) != nil } : nil
        return EmbeddedCluster(root: root, binaries: binaries, serviceUser: user)
    }

    /// The libpq URL for this cluster's database over its unix socket.
    public var connectionURL: String {
        let host = socketDirectory.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~"))) ?? socketDirectory
        return "postgresql://\(EmbeddedCluster.superuser)@/\(EmbeddedCluster.databaseName)?host=\(host)"
            + (tcpPort.map { "&port=\($0)" } ?? "")
    }
}

/// What `pg_ctl status` says about the cluster.
public enum EmbeddedClusterState: Equatable, Sendable {
    case notInitialized
    case stopped
    case running(pid: Int)
}
