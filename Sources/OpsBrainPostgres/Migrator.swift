import Foundation
import Logging

/// One numbered SQL migration file.
public struct Migration: Sendable, Equatable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// A stable checksum of the SQL, to notice a file edited after it was applied.
    public var checksum: String {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in sql.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return String(hash, radix: 16)
    }
}

/// Applies numbered SQL migrations, each in one transaction, recording what was applied.
public struct Migrator {
    /// Serializes migrators across processes: any 64-bit key unique to Ops Brain.
    static let advisoryLockKey: Int64 = 0x0b5_b4a1_0001
    private let logger = Logger(label: "opsbrain.migrations")
    public let migrations: [Migration]

    /// Uses the migrations shipped in this module.
    public init() throws {
        migrations = try Migrator.bundled()
    }

    public init(migrations: [Migration]) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// Reads `NNNN_name.sql` files from the module's `Migrations` resource folder.
    static func bundled() throws -> [Migration] {
        guard let folder = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw PostgresError(kind: .server, message: "migration files are missing from the installation")
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }
        return try names.sorted().map { name in
            guard let version = Int(name.prefix { $0.isNumber }) else {
                throw PostgresError(kind: .server, message: "migration \(name) does not start with a number")
            }
            let sql = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            return Migration(version: version, name: String(name.dropLast(4)), sql: sql)
        }
    }

    /// Applies every migration not applied yet; returns the ones it applied.
    @discardableResult
    public func migrate(_ connection: PostgresConnection) throws -> [Migration] {
        try connection.query("""
            CREATE TABLE IF NOT EXISTS opsbrain_schema_migrations (
                version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """)
        var applied: [Migration] = []
        for migration in migrations where try apply(migration, on: connection) {
            applied.append(migration)
        }
        return applied
    }

    /// The versions already recorded in the database.
    public func appliedVersions(_ connection: PostgresConnection) throws -> [Int] {
        try connection.query("SELECT version FROM opsbrain_schema_migrations ORDER BY version")
            .rows.compactMap { $0.int("version") }
    }

    private func apply(_ migration: Migration, on connection: PostgresConnection) throws -> Bool {
        try connection.transaction { tx in
            try tx.query("SELECT pg_advisory_xact_lock($1)", [Migrator.advisoryLockKey])
            let existing = try tx.query("SELECT checksum FROM opsbrain_schema_migrations WHERE version = $1",
                                        [migration.version]).first
            if let checksum = existing?.string("checksum") {
                guard checksum == migration.checksum else {
                    throw PostgresError(kind: .server, message:
                        "migration \(migration.name) was changed after it was applied (checksum \(checksum) in the database)")
                }
                return false
            }
            do {
                try tx.executeScript(migration.sql)
            } catch let error as PostgresError {
                throw PostgresError(kind: error.kind, message: "migration \(migration.name) failed: \(error.message)",
                                    sqlState: error.sqlState)
            }
            try tx.query("INSERT INTO opsbrain_schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                         [migration.version, migration.name, migration.checksum])
            logger.info("applied migration", metadata: ["migration": "\(migration.name)"])
            return true
        }
    }
}
