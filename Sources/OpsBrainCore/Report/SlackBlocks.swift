/// Builds a Slack Block Kit message within Slack's limits: at most 50 blocks, headers of 150
/// characters, sections of 3000, at most 10 fields of 2000 each, context of 10 elements.
/// Longer text is cut (with "…") or split, never rejected by Slack for size.
public struct SlackBlocks: Sendable {
    public static let maxBlocks = 50
    public static let maxHeader = 150
    public static let maxSection = 3000
    public static let maxFields = 10
    public static let maxField = 2000
    public static let maxContextElements = 10

    public private(set) var blocks: [JSONValue] = []

    public init() {}

    /// A `header` block (plain text, cut at 150 characters).
    public mutating func header(_ text: String) {
        blocks.append(.object(["type": .string("header"),
                               "text": .object(["type": .string("plain_text"), "text": .string(Self.cut(text, Self.maxHeader)),
                                                "emoji": .bool(true)])]))
    }

    /// One or more `section` blocks of mrkdwn, split at line breaks to stay within 3000 characters each.
    public mutating func section(_ mrkdwn: String) {
        for chunk in Self.split(mrkdwn, limit: Self.maxSection) {
            blocks.append(.object(["type": .string("section"), "text": Self.mrkdwn(chunk)]))
        }
    }

    /// `section` blocks of two-column fields, 10 per block, each cut at 2000 characters.
    public mutating func fields(_ pairs: [(String, String)]) {
        let items = pairs.map { Self.mrkdwn(Self.cut("*\(SlackText.escape($0.0))*\n\($0.1)", Self.maxField)) }
        stride(from: 0, to: items.count, by: Self.maxFields).forEach { start in
            let slice = Array(items[start..<min(start + Self.maxFields, items.count)])
            blocks.append(.object(["type": .string("section"), "fields": .array(slice)]))
        }
    }

    /// A `context` block of mrkdwn elements (the first 10).
    public mutating func context(_ elements: [String]) {
        guard !elements.isEmpty else { return }
        let items = elements.prefix(Self.maxContextElements).map { Self.mrkdwn(Self.cut($0, Self.maxSection)) }
        blocks.append(.object(["type": .string("context"), "elements": .array(Array(items))]))
    }

    /// A `divider` block.
    public mutating func divider() {
        blocks.append(.object(["type": .string("divider")]))
    }

    /// The webhook payload: `text` (the notification fallback), the blocks (cut to 50 with a note),
    /// and `channel` when a channel is named (honoured by legacy webhooks, ignored by the others).
    public func payload(fallback: String, channel: String?) -> JSONValue {
        var kept = blocks
        if kept.count > Self.maxBlocks {
            let dropped = kept.count - (Self.maxBlocks - 1)
            kept = Array(kept.prefix(Self.maxBlocks - 1))
            kept.append(.object(["type": .string("context"),
                                 "elements": .array([Self.mrkdwn("… \(dropped) more blocks left out (Slack allows 50)")])]))
        }
        var fields: [String: JSONValue] = ["text": .string(Self.cut(fallback, 3000)), "blocks": .array(kept)]
        if let channel, !channel.isEmpty { fields["channel"] = .string(channel) }
        return .object(fields)
    }

    static func mrkdwn(_ text: String) -> JSONValue {
        .object(["type": .string("mrkdwn"), "text": .string(text)])
    }

    /// `text` cut to `limit` characters, ending in "…" when cut.
    static func cut(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// Splits at line breaks into chunks of at most `limit` characters (a longer line is cut).
    static func split(_ text: String, limit: Int) -> [String] {
        var chunks: [String] = []
        var current = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map({ cut(String($0), limit) }) {
            if current.isEmpty { current = line; continue }
            if current.count + 1 + line.count > limit {
                chunks.append(current)
                current = line
            } else {
                current += "\n" + line
            }
        }
        if !current.isEmpty || chunks.isEmpty { chunks.append(current.isEmpty ? " " : current) }
        return chunks
    }
}

/// Slack's mrkdwn escaping: `&`, `<` and `>` must be entities, or Slack reads them as markup.
public enum SlackText {
    public static func escape(_ text: String) -> String {
        text.replacingAll("&", "&amp;").replacingAll("<", "&lt;").replacingAll(">", "&gt;")
    }
}

private extension String {
    func replacingAll(_ target: Character, _ replacement: String) -> String {
        var out = ""
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}
