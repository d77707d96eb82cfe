import ArgumentParser
import Foundation
import OpsBrainPostgres

/// `opsbrain db`: the database and the embedded default cluster.
struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage the database: start/stop the embedded cluster, migrate, show status and URL.",
        subcommands: [Start.self, Stop.self, Status.self, Migrate.self, URL.self])

    struct Start: OpsBrainSubcommand {
        static let configuration = CommandConfiguration(abstract: "Start the embedded cluster (creating it if needed) and migrate.")
        @OptionGroup var global: GlobalOptions

        func execute() throws {
            let connection = try global.openDatabase(config: try global.loadConfig())
            defer { connection.close() }
            print("database ready: \(try global.databaseLocation(config: try global.loadConfig()).summary)")
        }
    }

    struct Stop: OpsBrainSubcommand {
        static let configuration = CommandConfiguration(abstract: "Stop the embedded cluster (no-op for an external database).")
        @OptionGroup var global: GlobalOptions

        func execute() throws {
            guard case .embedded(let cluster) = try global.databaseLocation(config: try global.loadConfig()) else {
                print("the database is external; nothing to stop")
                return
            }
            try cluster.stop()
            print("embedded cluster stopped (\(cluster.root))")
        }
    }

    struct Status: OpsBrainSubcommand {
        static let configuration = CommandConfiguration(abstract: "Show where the database is, whether it is up, and migrations.")
        @OptionGroup var global: GlobalOptions

        func execute() throws {
            let location = try global.databaseLocation(config: try global.loadConfig())
            print("location:   \(location.summary)")
            if case .embedded(let cluster) = location {
                print("data:       \(cluster.dataDirectory)")
                switch try cluster.state() {
                case .notInitialized: print("server:     not created yet (any command that needs it creates it)"); return
                case .stopped: print("server:     stopped"); return
                case .running(let pid): print("server:     running (pid \(pid))")
                }
            }
            let connection = try PostgresConnection(conninfo: location.conninfo)
            defer { connection.close() }
            let version = try connection.query("SHOW server_version").first?.string("server_version") ?? "?"
            print("version:    PostgreSQL \(version)")
            let migrator = try Migrator()
            let applied = (try? migrator.appliedVersions(connection)) ?? []
            let pending = migrator.migrations.filter { !applied.contains($0.version) }
            print("migrations: \(applied.count) applied, \(pending.count) pending")
        }
    }

    struct Migrate: OpsBrainSubcommand {
        static let configuration = CommandConfiguration(abstract: "Apply pending migrations (re-running is a no-op).")
        @OptionGroup var global: GlobalOptions

        func execute() throws {
            let config = try global.loadConfig()
            let location = try global.databaseLocation(config: config)
            if case .embedded(let cluster) = location { try cluster.start() }
            let connection = try PostgresConnection(conninfo: location.conninfo)
            defer { connection.close() }
            let applied = try Migrator().migrate(connection)
            if applied.isEmpty { print("schema is up to date") }
            for migration in applied { print("applied \(migration.name)") }
        }
    }

    struct URL: OpsBrainSubcommand {
        static let configuration = CommandConfiguration(abstract: "Print the connection string (password hidden unless --show-password).")
        @OptionGroup var global: GlobalOptions
        @Flag(name: .customLong("show-password"), help: "Print the password too.")
        var showPassword = false

        func execute() throws {
            let location = try global.databaseLocation(config: try global.loadConfig())
            let conninfo = location.conninfo
            if conninfo.isEmpty { print("(libpq PG* environment variables)"); return }
            print(showPassword ? conninfo : ConnectionString.redacted(conninfo))
        }
    }
}
