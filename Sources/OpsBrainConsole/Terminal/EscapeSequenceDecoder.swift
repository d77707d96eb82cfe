/// Joins the keys of escape sequences that ncurses did not recognise back into one key, or none.
///
/// When `TERM` does not describe the terminal, ncurses hands over an unknown sequence byte by
/// byte: `ESC [ 4 ~` (End on many terminals) arrives as Esc, `[`, `4`, `~`, and `4` would switch
/// views. The keys read in one burst go through here: the common CSI and SS3 sequences become
/// their keys, and any other sequence is swallowed whole. An Esc not followed by `[` or `O` in
/// the same burst is the Esc key.
public enum EscapeSequenceDecoder {
    /// The keys of one burst, with escape sequences decoded or dropped.
    public static func decode(_ keys: [Key]) -> [Key] {
        var result: [Key] = []
        var index = 0
        while index < keys.count {
            let key = keys[index]
            index += 1
            guard key == .escape, index < keys.count, case .char(let introducer) = keys[index], introducer == "[" || introducer == "O" else {
                result.append(key)
                continue
            }
            index += 1
            let (sequence, end) = introducer == "[" ? controlSequence(keys, from: index) : (singleShift(keys, at: index), index + 1)
            index = min(end, keys.count)
            if let decoded = sequence { result.append(decoded) }
        }
        return result
    }

    /// A CSI sequence from `start` (after `ESC [`): parameter and intermediate bytes, then a final
    /// byte. Returns its key (nil for one we do not use, or one cut off) and where it ends.
    private static func controlSequence(_ keys: [Key], from start: Int) -> (Key?, Int) {
        var parameters = ""
        var index = start
        while index < keys.count {
            guard case .char(let character) = keys[index], let value = character.asciiValue else { return (nil, index) }
            index += 1
            switch value {
            case 0x20...0x3F: parameters.append(character)
            case 0x40...0x7E: return (csiKey(final: character, parameters: parameters), index)
            default: return (nil, index)
            }
        }
        return (nil, index)
    }

    private static func csiKey(final: Character, parameters: String) -> Key? {
        switch final {
        case "A": return .up
        case "B": return .down
        case "C": return .right
        case "D": return .left
        case "H": return .home
        case "F": return .end
        case "Z": return .backTab
        case "~":
            switch parameters.split(separator: ";").first {
            case "1", "7": return .home
            case "4", "8": return .end
            case "3": return .delete
            case "5": return .pageUp
            case "6": return .pageDown
            default: return nil
            }
        default: return nil
        }
    }

    /// An SS3 sequence (`ESC O` and one byte), as keypad-mode arrows, Home and End arrive.
    private static func singleShift(_ keys: [Key], at index: Int) -> Key? {
        guard index < keys.count, case .char(let final) = keys[index] else { return nil }
        return csiKey(final: final, parameters: "")
    }
}
