import CNcurses

/// Decodes what `wget_wch` returns into keys.
enum KeyDecoder {
    /// A character key: Enter, Esc, Tab, Backspace and Ctrl-letters get their own cases.
    static func character(_ value: UInt32) -> Key? {
        switch value {
        case 10, 13: return .enter
        case 27: return .escape
        case 9: return .tab
        case 8, 127: return .backspace
        case 1...26: return .control(Character(UnicodeScalar(UInt8(value + 96))))
        default: return UnicodeScalar(value).map { .char(Character($0)) }
        }
    }

    /// A function key (arrows, paging, resize).
    static func function(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_BTAB: return .backTab
        case KEY_RESIZE: return .resize
        default: return nil
        }
    }
}
