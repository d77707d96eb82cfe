/// A key press, decoded from the terminal.
public enum Key: Hashable, Sendable, CustomStringConvertible {
    case char(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, backspace, tab, backTab, delete
    /// Ctrl plus a letter (`control("c")` is Ctrl-C).
    case control(Character)
    /// The terminal was resized.
    case resize
    /// A mouse report (only with `--mouse`).
    case mouse(MouseEvent)

    public var description: String {
        switch self {
        case .char(" "): return "Space"
        case .char(let character): return String(character)
        case .up: return "Up"
        case .down: return "Down"
        case .left: return "Left"
        case .right: return "Right"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .backspace: return "Backspace"
        case .tab: return "Tab"
        case .backTab: return "Shift-Tab"
        case .delete: return "Del"
        case .control(let letter): return "Ctrl-\(letter.uppercased())"
        case .resize: return "resize"
        case .mouse: return "mouse"
        }
    }
}
