import Foundation
import OpsBrainCore

/// A stored SOP suggestion with its review state.
public struct SuggestionRecord: Sendable {
    public var id: UUID
    public var period: String
    public var suggestion: SOPSuggestion
    public var status: String
    public var reviewedBy: String?
    public var reviewedAt: Date?
    public var reviewNote: String?
    public var createdAt: Date
}

/// SOP suggestions for human review. Accepting one records the decision; it never edits an SOP.
public struct SuggestionRepository {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Stores the suggestions of `period`; one already stored for the same SOP, kind and subject is
    /// kept as it is (its review stays). Returns how many were new.
    @discardableResult
    public func store(_ suggestions: [SOPSuggestion], period: String) throws -> Int {
        try connection.transaction { tx in
            try suggestions.reduce(0) { count, suggestion in
                let inserted = try !tx.query("""
                    INSERT INTO opsbrain_sop_suggestions (period, sop_name, sop_version, kind, subject, title, detail, evidence, llm_note)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)
                    ON CONFLICT (period, sop_name, kind, subject) DO NOTHING RETURNING id
                    """, [period, suggestion.sopName, suggestion.sopVersion, suggestion.kind.rawValue, suggestion.subject,
                          suggestion.title, suggestion.detail, suggestion.evidence, suggestion.llmNote]).rows.isEmpty
                return count + (inserted ? 1 : 0)
            }
        }
    }

    /// Suggestions newest first: open ones only unless `all`, optionally for one SOP.
    public func list(all: Bool = false, sopName: String? = nil, limit: Int = 100) throws -> [SuggestionRecord] {
        try connection.query("""
            SELECT id, period, sop_name, sop_version, kind, subject, title, detail, evidence::text AS evidence_text, llm_note,
                   status, reviewed_by, reviewed_at, review_note, created_at
            FROM opsbrain_sop_suggestions WHERE ($1 OR status = 'open') AND ($2::text IS NULL OR sop_name = $2)
            ORDER BY created_at DESC, sop_name, kind LIMIT $3
            """, [all, sopName, limit]).rows.compactMap(Self.record)
    }

    /// Accepts or dismisses an open suggestion (by id or unique id prefix), recording who and why.
    public func review(_ idText: String, accept: Bool, reviewer: String, note: String?) throws -> SuggestionRecord {
        let updated = try connection.query("""
            UPDATE opsbrain_sop_suggestions SET status = $2, reviewed_by = $3, reviewed_at = now(), review_note = $4
            WHERE id::text LIKE $1 || '%' AND status = 'open'
              AND (SELECT count(*) FROM opsbrain_sop_suggestions WHERE id::text LIKE $1 || '%') = 1
            RETURNING id, period, sop_name, sop_version, kind, subject, title, detail, evidence::text AS evidence_text, llm_note,
                      status, reviewed_by, reviewed_at, review_note, created_at
            """, [idText.lowercased(), accept ? "accepted" : "dismissed", reviewer, note]).rows.compactMap(Self.record)
        guard let record = updated.first else {
            let matches = try connection.query("SELECT status FROM opsbrain_sop_suggestions WHERE id::text LIKE $1 || '%'",
                                               [idText.lowercased()]).rows
            let reason = matches.isEmpty ? "no suggestion matches '\(idText)'"
                : matches.count > 1 ? "'\(idText)' matches several suggestions" : "suggestion is already \(matches[0].string("status") ?? "reviewed")"
            throw PostgresError(kind: .decoding, message: reason)
        }
        return record
    }

    private static func record(_ row: Row) -> SuggestionRecord? {
        guard let id = row.uuid("id"), let kind = row.string("kind").flatMap(SOPSuggestion.Kind.init(rawValue:)) else { return nil }
        let suggestion = SOPSuggestion(kind: kind, sopName: row.string("sop_name") ?? "", sopVersion: row.int("sop_version"),
                                       subject: row.string("subject") ?? "", title: row.string("title") ?? "",
                                       detail: row.string("detail") ?? "", evidence: row.json("evidence_text") ?? .object([:]),
                                       llmNote: row.string("llm_note"))
        return SuggestionRecord(id: id, period: row.string("period") ?? "", suggestion: suggestion, status: row.string("status") ?? "open",
                                reviewedBy: row.string("reviewed_by"), reviewedAt: row.date("reviewed_at"),
                                reviewNote: row.string("review_note"), createdAt: row.date("created_at") ?? Date())
    }
}
