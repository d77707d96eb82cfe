/// How many colours the terminal can show; themes are mapped down to it.
public enum ColorMode: String, Sendable, CaseIterable {
    case colors256 = "256"
    case colors16 = "16"
    case colors8 = "8"
    /// No colour (a monochrome terminal, `NO_COLOR` or `--no-color`): attributes only.
    case monochrome = "mono"

    /// The mode for a terminal that reports `colors` colours, unless colour is switched off.
    public static func detect(colors: Int, hasColors: Bool, noColor: Bool) -> ColorMode {
        if noColor || !hasColors || colors < 8 { return .monochrome }
        if colors >= 256 { return .colors256 }
        return colors >= 16 ? .colors16 : .colors8
    }
}

/// A role's look on a particular terminal: colour indexes (-1 is the terminal's default) and attributes.
public struct ResolvedStyle: Sendable, Hashable, CustomStringConvertible {
    public var foreground: Int
    public var background: Int
    public var attributes: ThemeAttributes

    public init(foreground: Int, background: Int, attributes: ThemeAttributes) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    public var description: String { "fg=\(foreground) bg=\(background) attrs=\(attributes)" }
}

extension Theme {
    /// Every role's look in `mode`. Without colour, a role with its own background is shown reversed,
    /// so bars, the cursor, focused buttons and banners stay visible.
    public func resolved(for mode: ColorMode) -> [ThemeRole: ResolvedStyle] {
        let bodyBackground = style(.body).background
        var table: [ThemeRole: ResolvedStyle] = [:]
        for role in ThemeRole.allCases {
            let style = style(role)
            guard mode != .monochrome else {
                var attributes = style.attributes
                if style.background != bodyBackground, style.background != .terminalDefault { attributes.insert(.reverse) }
                table[role] = ResolvedStyle(foreground: -1, background: -1, attributes: attributes)
                continue
            }
            var foreground = TerminalPalette.index(style.foreground ?? .terminalDefault, mode: mode)
            let background = TerminalPalette.index(style.background ?? .terminalDefault, mode: mode)
            if foreground == background, foreground >= 0 { foreground = background == 0 ? 7 : 0 }
            table[role] = ResolvedStyle(foreground: foreground, background: background, attributes: style.attributes)
        }
        return table
    }
}
