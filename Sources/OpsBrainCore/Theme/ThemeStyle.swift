import Foundation

/// A colour in a theme: the terminal's own default, one of the 16 ANSI colours, a 256-colour index or RGB.
public enum ThemeColor: Sendable, Hashable, CustomStringConvertible {
    case terminalDefault
    case ansi(Int)
    case indexed(Int)
    case rgb(UInt8, UInt8, UInt8)

    /// The ANSI colour names, in index order; `bright-` prefixes give indexes 8-15.
    public static let ansiNames = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// Reads `default`, an ANSI name (`red`, `bright-blue`, `gray`), `0`-`255` or `#rrggbb`.
    public init?(parsing text: String) {
        let word = text.trimmingCharacters(in: .whitespaces).lowercased()
        if word == "default" || word == "none" { self = .terminalDefault; return }
        if let index = Self.ansiNames.firstIndex(of: word) { self = .ansi(index); return }
        if word == "gray" || word == "grey" { self = .ansi(8); return }
        for prefix in ["bright-", "bright_", "bright"] where word.hasPrefix(prefix) {
            guard let index = Self.ansiNames.firstIndex(of: String(word.dropFirst(prefix.count))) else { return nil }
            self = .ansi(index + 8)
            return
        }
        if let number = Int(word), (0...255).contains(number) { self = .indexed(number); return }
        guard word.hasPrefix("#"), word.count == 7, let value = UInt32(word.dropFirst(), radix: 16) else { return nil }
        self = .rgb(UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff))
    }

    public var description: String {
        switch self {
        case .terminalDefault: return "default"
        case .ansi(let index): return index < 8 ? Self.ansiNames[index] : "bright-" + Self.ansiNames[index - 8]
        case .indexed(let index): return String(index)
        case .rgb(let red, let green, let blue):
            return "#" + [red, green, blue].map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        }
    }
}

/// Text attributes that carry meaning without colour (so a monochrome terminal still shows it).
public struct ThemeAttributes: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let bold = ThemeAttributes(rawValue: 1)
    public static let dim = ThemeAttributes(rawValue: 2)
    public static let reverse = ThemeAttributes(rawValue: 4)
    public static let underline = ThemeAttributes(rawValue: 8)
    public static let italic = ThemeAttributes(rawValue: 16)

    /// Attribute names as written in theme files.
    public static let names: [(String, ThemeAttributes)] = [
        ("bold", .bold), ("dim", .dim), ("reverse", .reverse), ("underline", .underline), ("italic", .italic),
    ]

    public var description: String {
        let words = Self.names.filter { contains($0.1) }.map(\.0)
        return words.isEmpty ? "-" : words.joined(separator: ",")
    }
}

/// How one role looks: colours (nil inherits the body's) and attributes.
public struct ThemeStyle: Sendable, Hashable {
    public var foreground: ThemeColor?
    public var background: ThemeColor?
    public var attributes: ThemeAttributes

    public init(fg: ThemeColor? = nil, bg: ThemeColor? = nil, attrs: ThemeAttributes = []) {
        foreground = fg
        background = bg
        attributes = attrs
    }
}
