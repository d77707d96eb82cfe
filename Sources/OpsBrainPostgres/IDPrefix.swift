import Foundation
import OpsBrainCore

/// Finds the one row an id typed by a person means: a full UUID, or a prefix of one such as the
/// 8 characters every list shows. Used by the CLI and the console for alerts and executions.
public enum IDPrefix {
    /// The tables whose rows people name by id.
    public enum Table: String, Sendable, CaseIterable {
        case alerts = "intelligence_alerts"
        case executions = "self_healing_executions"

        /// The row's name in messages.
        var noun: String {
            switch self {
            case .alerts: return "alert"
            case .executions: return "execution"
            }
        }

        /// What a match is listed with when a prefix is ambiguous.
        var label: String {
            switch self {
            case .alerts: return "title"
            case .executions: return "status"
            }
        }
    }

    /// The most matches an ambiguity error lists.
    static let listedMatches = 5

    /// The id of the one row of `table` that `text` names.
    ///
    /// - Throws: `IDPrefixError` when `text` is not hex digits (dashes allowed), names no row,
    ///   or names several (listing them, so the person can type more characters).
    public static func resolve(_ text: String, in table: Table, connection: PostgresConnection) throws -> UUID {
        let typed = text.trimmingCharacters(in: .whitespaces)
        if let id = UUID(uuidString: typed) {
            guard try connection.query("SELECT 1 FROM \(table.rawValue) WHERE id = $1::uuid", [id], repeating: .safeToRepeat)
                .first != nil else { throw IDPrefixError("no \(table.noun) has the id \(typed.lowercased())") }
            return id
        }
        guard let range = bounds(typed) else {
            throw IDPrefixError("'\(text)' is not an \(table.noun) id:"
                                + " give the full id or its first characters (hex digits, like 3d9f2ef4)")
        }
        let rows = try connection.query("""
            SELECT id, left(\(table.label)::text, 60) AS label FROM \(table.rawValue)
            WHERE id BETWEEN $1::uuid AND $2::uuid ORDER BY id LIMIT \(listedMatches + 1)
            """, [range.low, range.high], repeating: .safeToRepeat).rows
        guard rows.count == 1, let id = rows[0].uuid("id") else {
            guard !rows.isEmpty else { throw IDPrefixError("no \(table.noun) id starts with '\(typed)'") }
            let listed = rows.prefix(listedMatches).map { row in
                "\(row.uuid("id").map { String($0.uuidString.lowercased().prefix(13)) } ?? "?") (\(row.string("label") ?? ""))"
            }
            let more = rows.count > listedMatches ? ", …" : ""
            throw IDPrefixError("'\(typed)' matches several \(table.noun)s: \(listed.joined(separator: ", "))\(more);"
                                + " type more of the id")
        }
        return id
    }

    /// The lowest and highest UUID that start with `text` (hex digits, dashes ignored), for an
    /// index-friendly `BETWEEN`; nil when `text` is not the start of an id. A whole id is its own range.
    public static func bounds(_ text: String) -> (low: String, high: String)? {
        let digits = text.trimmingCharacters(in: .whitespaces).lowercased().filter { $0 != "-" }
        guard !digits.isEmpty, digits.count <= 32, digits.allSatisfy(\.isHexDigit) else { return nil }
        return (uuidText(digits, filler: "0"), uuidText(digits, filler: "f"))
    }

    /// `digits` filled up to 32 with `filler`, in the UUID's 8-4-4-4-12 form.
    private static func uuidText(_ digits: String, filler: Character) -> String {
        let full = Array(digits + String(repeating: filler, count: 32 - digits.count))
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(full[$0]) }.joined(separator: "-")
    }
}

/// An id that names no row, or more than one, in words for the person who typed it.
public struct IDPrefixError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    init(_ description: String) { self.description = description }
}
