/// A console colour theme: a style per semantic role, with the built-in dark theme behind every missing role.
public struct Theme: Sendable, Equatable {
    public var name: String
    /// The roles this theme sets itself.
    public var styles: [ThemeRole: ThemeStyle]

    public init(name: String, styles: [ThemeRole: ThemeStyle]) {
        self.name = name
        self.styles = styles
    }

    /// The style of `role`: this theme's, else the built-in's; unset colours come from `body`.
    public func style(_ role: ThemeRole) -> ThemeStyle {
        var style = styles[role] ?? Theme.dark.styles[role] ?? ThemeStyle()
        let body = styles[.body] ?? Theme.dark.styles[.body] ?? ThemeStyle()
        if style.foreground == nil { style.foreground = body.foreground ?? .terminalDefault }
        if style.background == nil { style.background = body.background ?? .terminalDefault }
        return style
    }

    /// Roles the theme leaves to the built-in theme.
    public var missingRoles: [ThemeRole] { ThemeRole.allCases.filter { styles[$0] == nil } }

    /// The built-in default: light text on the terminal's own background.
    public static let dark = Theme(name: "dark", styles: [
        .body: ThemeStyle(fg: .terminalDefault, bg: .terminalDefault),
        .header: ThemeStyle(fg: .rgb(0x87, 0xaf, 0xd7), attrs: .bold),
        .title: ThemeStyle(fg: .rgb(0xff, 0xff, 0xff), attrs: .bold),
        .border: ThemeStyle(fg: .rgb(0x58, 0x58, 0x58)),
        .statusBar: ThemeStyle(fg: .rgb(0xd0, 0xd0, 0xd0), bg: .rgb(0x26, 0x26, 0x26)),
        .keyHint: ThemeStyle(fg: .rgb(0x87, 0xaf, 0xd7)),
        .cursor: ThemeStyle(fg: .rgb(0xff, 0xff, 0xff), bg: .rgb(0x00, 0x5f, 0x87), attrs: .bold),
        .muted: ThemeStyle(fg: .rgb(0x80, 0x80, 0x80), attrs: .dim),
        .changed: ThemeStyle(fg: .rgb(0xff, 0xff, 0x87), attrs: .bold),
        .error: ThemeStyle(fg: .rgb(0xff, 0x5f, 0x5f), attrs: .bold),
        .notice: ThemeStyle(fg: .rgb(0x87, 0xd7, 0x87)),
        .tab: ThemeStyle(fg: .rgb(0xa8, 0xa8, 0xa8)),
        .tabActive: ThemeStyle(fg: .rgb(0x00, 0x00, 0x00), bg: .rgb(0x87, 0xaf, 0xd7), attrs: .bold),
        .severityCritical: ThemeStyle(fg: .rgb(0xff, 0x00, 0x5f), attrs: [.bold, .reverse]),
        .severityHigh: ThemeStyle(fg: .rgb(0xff, 0x5f, 0x5f), attrs: .bold),
        .severityMedium: ThemeStyle(fg: .rgb(0xff, 0xaf, 0x00)),
        .severityLow: ThemeStyle(fg: .rgb(0x5f, 0xaf, 0xd7)),
        .severityInfo: ThemeStyle(fg: .rgb(0x80, 0x80, 0x80), attrs: .dim),
        .pipelinePending: ThemeStyle(fg: .rgb(0x80, 0x80, 0x80)),
        .pipelineDiagnosing: ThemeStyle(fg: .rgb(0x5f, 0xaf, 0xff)),
        .pipelineAwaitingApproval: ThemeStyle(fg: .rgb(0xff, 0xaf, 0x00), attrs: [.bold, .underline]),
        .pipelineFixing: ThemeStyle(fg: .rgb(0xd7, 0x87, 0xff), attrs: .bold),
        .pipelineVerifying: ThemeStyle(fg: .rgb(0x00, 0xd7, 0xd7)),
        .pipelineRollingBack: ThemeStyle(fg: .rgb(0xff, 0x87, 0x5f), attrs: .bold),
        .pipelineSuccess: ThemeStyle(fg: .rgb(0x5f, 0xd7, 0x5f)),
        .pipelineFailed: ThemeStyle(fg: .rgb(0xff, 0x5f, 0x5f), attrs: .bold),
        .pipelineEscalated: ThemeStyle(fg: .rgb(0xff, 0x5f, 0xaf), attrs: .bold),
        .pipelineRejected: ThemeStyle(fg: .rgb(0xaf, 0x87, 0x87)),
        .pipelineRolledBack: ThemeStyle(fg: .rgb(0xff, 0x87, 0x5f)),
        .pipelineDryRun: ThemeStyle(fg: .rgb(0x87, 0x87, 0xd7), attrs: .italic),
        .dialogBody: ThemeStyle(fg: .rgb(0xee, 0xee, 0xee), bg: .rgb(0x30, 0x30, 0x30)),
        .dialogButton: ThemeStyle(fg: .rgb(0xd0, 0xd0, 0xd0), bg: .rgb(0x4e, 0x4e, 0x4e)),
        .dialogButtonFocus: ThemeStyle(fg: .rgb(0x00, 0x00, 0x00), bg: .rgb(0x87, 0xd7, 0xff), attrs: [.bold, .underline]),
        .dialogDanger: ThemeStyle(fg: .rgb(0xff, 0xff, 0xff), bg: .rgb(0xaf, 0x00, 0x00), attrs: .bold),
        .bannerReadOnly: ThemeStyle(fg: .rgb(0x00, 0x00, 0x00), bg: .rgb(0xff, 0xaf, 0x00), attrs: .bold),
        .bannerPaused: ThemeStyle(fg: .rgb(0x00, 0x00, 0x00), bg: .rgb(0xd7, 0xd7, 0x5f), attrs: .bold),
        .bannerFilter: ThemeStyle(fg: .rgb(0x00, 0x00, 0x00), bg: .rgb(0x87, 0xd7, 0xaf)),
    ])
}
