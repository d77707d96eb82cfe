import Foundation
import OpsBrainCore

/// What sync stores for one SOP file: its definition, the front matter's sections as JSON, and the file.
public struct SOPRow: Sendable {
    public var definition: SOPDefinition
    /// The front matter as written; its sections fill the table's JSONB columns for SQL readers.
    public var frontMatter: JSONValue
    public var body: String
    /// The whole file, re-parsed by the engine and hashed to detect changes.
    public var sourceText: String
    /// The path relative to the SOP folder.
    public var sourcePath: String

    public init(definition: SOPDefinition, frontMatter: JSONValue, body: String, sourceText: String, sourcePath: String) {
        self.definition = definition
        self.frontMatter = frontMatter
        self.body = body
        self.sourceText = sourceText
        self.sourcePath = sourcePath
    }

    func section(_ key: String, empty: JSONValue) -> JSONValue { frontMatter[key] ?? empty }
}

/// What a sync changed.
public struct SOPSyncReport: Sendable, Equatable {
    public var inserted: [String] = []
    /// Names whose content changed, with their new version.
    public var updated: [String: Int] = [:]
    public var unchanged: [String] = []
    public var retired: [String] = []

    public init() {}
}

/// Reads and writes `self_healing_sops` and its version history.
public struct SOPRepository {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Loads `rows` in one transaction: new SOPs inserted, changed ones get a new version
    /// (statistics kept), and SOPs whose file is gone from `presentPaths` are marked retired.
    public func sync(_ rows: [SOPRow], presentPaths: [String], retireMissing: Bool, actor: String) throws -> SOPSyncReport {
        try connection.transaction { tx in
            var report = SOPSyncReport()
            for row in rows {
                try upsert(row, in: tx, report: &report)
            }
            if retireMissing {
                report.retired = try retire(keeping: rows.map(\.definition.name), presentPaths: presentPaths, in: tx)
            }
            for name in report.inserted + report.updated.keys.sorted() + report.retired {
                let kind = report.retired.contains(name) ? "sop_retired" : "sop_synced"
                let version = report.updated[name].map { "version \($0)" } ?? (report.retired.contains(name) ? "retired" : "version 1")
                try AuditTrail.append(kind: kind, actor: actor, message: "SOP \(name): \(version)", sopName: name, in: tx)
            }
            return report
        }
    }

    private func upsert(_ row: SOPRow, in tx: PostgresConnection, report: inout SOPSyncReport) throws {
        let sop = row.definition
        let result = try tx.query("""
            INSERT INTO self_healing_sops AS s (sop_name, category, agent, description, severity, risk_level,
                auto_fix_enabled, requires_approval, max_executions_per_hour, cooldown_minutes,
                trigger_conditions, diagnosis_steps, fix_operations, verification_steps, escalation_rules,
                notification, body, source_text, source_path, content_hash, mode_override)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13::jsonb, $14::jsonb,
                    $15::jsonb, $16::jsonb, $17, $18, $19, encode(sha256(convert_to($18, 'UTF8')), 'hex'), $20)
            ON CONFLICT (sop_name) DO UPDATE SET
                category = EXCLUDED.category, agent = EXCLUDED.agent, description = EXCLUDED.description,
                severity = EXCLUDED.severity, risk_level = EXCLUDED.risk_level,
                auto_fix_enabled = EXCLUDED.auto_fix_enabled, requires_approval = EXCLUDED.requires_approval,
                max_executions_per_hour = EXCLUDED.max_executions_per_hour,
                cooldown_minutes = EXCLUDED.cooldown_minutes, trigger_conditions = EXCLUDED.trigger_conditions,
                diagnosis_steps = EXCLUDED.diagnosis_steps, fix_operations = EXCLUDED.fix_operations,
                verification_steps = EXCLUDED.verification_steps, escalation_rules = EXCLUDED.escalation_rules,
                notification = EXCLUDED.notification, body = EXCLUDED.body, source_text = EXCLUDED.source_text,
                source_path = EXCLUDED.source_path, content_hash = EXCLUDED.content_hash,
                mode_override = EXCLUDED.mode_override,
                version = s.version + CASE WHEN s.content_hash <> EXCLUDED.content_hash THEN 1 ELSE 0 END,
                retired_at = NULL, updated_at = now()
            WHERE s.content_hash <> EXCLUDED.content_hash OR s.retired_at IS NOT NULL OR s.source_path <> EXCLUDED.source_path
            RETURNING id, version, (xmax = 0) AS inserted
            """, [sop.name, sop.category, sop.agent.rawValue, sop.description, sop.severity.rawValue, sop.risk.rawValue,
                  sop.autoFix, sop.requiresApproval, sop.maxExecutionsPerHour, sop.cooldownMinutes,
                  row.section("trigger", empty: .object([:])), row.section("diagnosis", empty: .array([])),
                  row.section("fix", empty: .array([])), row.section("verification", empty: .object([:])),
                  row.section("escalate_if", empty: .array([])), row.section("notification", empty: .object([:])),
                  row.body, row.sourceText, row.sourcePath, sop.mode?.rawValue])
        guard let changed = result.first, let id = changed.string("id"), let version = changed.int("version") else {
            report.unchanged.append(sop.name)
            return
        }
        if changed.bool("inserted") == true { report.inserted.append(sop.name) } else { report.updated[sop.name] = version }
        try tx.query("""
            INSERT INTO self_healing_sop_versions (sop_id, version, content_hash, definition, source_text)
            SELECT id, version, content_hash, $2::jsonb, source_text FROM self_healing_sops WHERE id = $1::uuid
            ON CONFLICT (sop_id, version) DO NOTHING
            """, [id, row.frontMatter])
    }

    private func retire(keeping names: [String], presentPaths: [String], in tx: PostgresConnection) throws -> [String] {
        try tx.query("""
            UPDATE self_healing_sops SET retired_at = now(), updated_at = now()
            WHERE retired_at IS NULL AND NOT (sop_name = ANY($1::text[])) AND NOT (source_path = ANY($2::text[]))
            RETURNING sop_name
            """, [PostgresArray(names), PostgresArray(presentPaths)]).rows.compactMap { $0.string("sop_name") }.sorted()
    }
}

/// A text[] parameter in PostgreSQL's array literal syntax; nil items are SQL NULLs.
public struct PostgresArray: PostgresEncodable {
    public var items: [String?]

    public init(_ items: [String]) { self.items = items }

    public init(nullable items: [String?]) { self.items = items }

    public var postgresText: String {
        "{" + items.map { item in
            item.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" } ?? "NULL"
        }.joined(separator: ",") + "}"
    }
}
