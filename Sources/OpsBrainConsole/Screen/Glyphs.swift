/// The characters the console draws with: Unicode box drawing and blocks, or an ASCII fallback
/// for terminals without a UTF-8 locale.
public struct Glyphs: Sendable, Equatable {
    public var unicode: Bool
    public var horizontal: String
    public var vertical: String
    public var topLeft: String
    public var topRight: String
    public var bottomLeft: String
    public var bottomRight: String
    public var ellipsis: String
    public var arrow: String
    public var bullet: String
    public var fresh: String
    public var cursor: String
    public var dot: String

    /// Box drawing, arrows and block elements.
    public static let unicode = Glyphs(unicode: true, horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐",
                                       bottomLeft: "└", bottomRight: "┘", ellipsis: "…", arrow: "→", bullet: "•",
                                       fresh: "●", cursor: "▶", dot: "●")
    /// Plain ASCII for a terminal without UTF-8.
    public static let ascii = Glyphs(unicode: false, horizontal: "-", vertical: "|", topLeft: "+", topRight: "+",
                                     bottomLeft: "+", bottomRight: "+", ellipsis: "~", arrow: "->", bullet: "*",
                                     fresh: "*", cursor: ">", dot: "o")

    /// The sparkline mark for an execution outcome.
    public func outcomeMark(_ status: String) -> String {
        switch status {
        case "success": return unicode ? "█" : "+"
        case "escalated": return unicode ? "▄" : "!"
        case "rolled_back": return unicode ? "▃" : "<"
        case "rejected", "not_needed": return unicode ? "▂" : "-"
        default: return unicode ? "▁" : "x"
        }
    }

    /// ASCII for the typographic characters the console and its data use, for terminals without UTF-8.
    static let asciiStandIns: [Character: String] = [
        "·": "-", "×": "x", "—": "-", "–": "-", "…": "...", "→": "->", "←": "<-", "≥": ">=", "≤": "<=", "≠": "!=",
        "✓": "ok", "✗": "x", "•": "*", "●": "o", "○": "o", "▶": ">", "“": "\"", "”": "\"", "‘": "'", "’": "'",
        "µ": "u", "°": "deg", "─": "-", "│": "|",
    ]

    /// Text made safe to draw: control characters never reach the terminal; without UTF-8,
    /// typographic characters become their ASCII stand-ins and anything else outside ASCII `?`.
    public func clean(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            guard let scalar = character.unicodeScalars.first else { continue }
            let value = scalar.value
            if value == 0x09 || value == 0x0A || value == 0x0D {
                result.append(" ")
            } else if value < 0x20 || (0x7F..<0xA0).contains(value) {
                result.append("?")
            } else if !unicode && value > 0x7E {
                result.append(Self.asciiStandIns[character] ?? "?")
            } else {
                result.append(character)
            }
        }
        return result
    }
}
