import Foundation
import OpsBrainConsole
import OpsBrainCore
import OpsBrainDocuments
import XCTest

/// Theme files: parsing with file:line errors, fallback to the built-in theme, the shipped themes, and
/// how roles map onto 256/16/8-colour and monochrome terminals.
final class ThemeTests: XCTestCase {
    static let themesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("themes").path

    func testShippedThemesParseWithoutIssues() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.themesFolder).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertEqual(files, ["dark.yaml", "high-contrast.yaml", "light.yaml", "mono.yaml"])
        for file in files {
            let text = try String(contentsOfFile: "\(Self.themesFolder)/\(file)", encoding: .utf8)
            let (theme, issues) = ThemeParser.check(text, path: file)
            XCTAssertEqual(issues, [], file)
            XCTAssertEqual(theme?.missingRoles, [], "\(file) sets every role")
        }
    }

    func testShippedDarkIsTheBuiltInTheme() throws {
        let text = try String(contentsOfFile: "\(Self.themesFolder)/dark.yaml", encoding: .utf8)
        let theme = try ThemeParser.parse(text, path: "dark.yaml")
        for role in ThemeRole.allCases {
            XCTAssertEqual(theme.styles[role], Theme.dark.styles[role], "dark.yaml and the built-in theme agree on \(role.rawValue)")
        }
    }

    func testMissingRolesFallBackToTheBuiltInAndColoursToBody() throws {
        let theme = try ThemeParser.parse("""
            name: tiny
            roles:
              body: {fg: "#101010", bg: "#fafafa"}
              severity:
                critical: {attrs: [bold]}
            """, path: "tiny.yaml")
        XCTAssertEqual(theme.name, "tiny")
        XCTAssertEqual(theme.style(.severityCritical), ThemeStyle(fg: .rgb(0x10, 0x10, 0x10), bg: .rgb(0xfa, 0xfa, 0xfa), attrs: .bold))
        XCTAssertEqual(theme.style(.cursor).background, Theme.dark.styles[.cursor]?.background, "a role left out comes from the built-in theme")
        XCTAssertEqual(theme.style(.header).background, .rgb(0xfa, 0xfa, 0xfa), "a background left out comes from body")
    }

    func testPaletteNamesAndColourSyntaxes() throws {
        let theme = try ThemeParser.parse("""
            palette: {accent: "#87afd7"}
            roles:
              header: {fg: accent}
              title: {fg: bright-red, bg: 236}
              border: {fg: default, attrs: "bold,underline"}
            """, path: "p.yaml")
        XCTAssertEqual(theme.styles[.header]?.foreground, .rgb(0x87, 0xaf, 0xd7))
        XCTAssertEqual(theme.styles[.title], ThemeStyle(fg: .ansi(9), bg: .indexed(236)))
        XCTAssertEqual(theme.styles[.border], ThemeStyle(fg: .terminalDefault, attrs: [.bold, .underline]))
    }

    func testErrorsNameFileLineAndKey() {
        let (_, issues) = ThemeParser.check("""
            name: broken
            roles:
              header: {fg: "#12345"}
              severity:
                crit: {fg: red}
              cursor: {fg: red, blink: true}
              title: {attrs: [bold, sparkly]}
            colours: {}
            """, path: "broken.yaml")
        let text = issues.map(\.description)
        XCTAssertTrue(text.contains { $0.hasPrefix("broken.yaml:3: error: key 'roles.header.fg': '#12345' is not a colour") }, "\(text)")
        XCTAssertTrue(text.contains { $0.hasPrefix("broken.yaml:5: error: unknown role 'severity.crit'") }, "\(text)")
        XCTAssertTrue(text.contains { $0.hasPrefix("broken.yaml:6: error: unknown key 'roles.cursor.blink'") }, "\(text)")
        XCTAssertTrue(text.contains { $0.hasPrefix("broken.yaml:7: error: key 'roles.title.attrs': unknown attribute 'sparkly'") }, "\(text)")
        XCTAssertTrue(text.contains { $0.hasPrefix("broken.yaml:8: error: unknown key 'colours'") }, "\(text)")
        XCTAssertThrowsError(try ThemeParser.parse("roles: [1, 2]", path: "list.yaml"))
    }

    func testXterm256MappingUsesTheCubeAndGreyRamp() {
        XCTAssertEqual(TerminalPalette.xterm256(0x5f, 0x87, 0xaf), 67)
        XCTAssertEqual(TerminalPalette.xterm256(0xff, 0xff, 0xff), 231)
        XCTAssertEqual(TerminalPalette.xterm256(0x26, 0x26, 0x26), 235, "dark greys land on the grey ramp")
        XCTAssertEqual(TerminalPalette.xterm256(0x80, 0x80, 0x80), 244)
        XCTAssertEqual(TerminalPalette.index(.rgb(0xff, 0x5f, 0x5f), mode: .colors16), 9)
        XCTAssertEqual(TerminalPalette.index(.rgb(0xff, 0x5f, 0x5f), mode: .colors8), 1)
        XCTAssertEqual(TerminalPalette.index(.ansi(12), mode: .colors8), 4)
        XCTAssertEqual(TerminalPalette.index(.indexed(196), mode: .colors16), 9)
    }

    func testColourModeDetection() {
        XCTAssertEqual(ColorMode.detect(colors: 256, hasColors: true, noColor: false), .colors256)
        XCTAssertEqual(ColorMode.detect(colors: 16, hasColors: true, noColor: false), .colors16)
        XCTAssertEqual(ColorMode.detect(colors: 8, hasColors: true, noColor: false), .colors8)
        XCTAssertEqual(ColorMode.detect(colors: 0, hasColors: false, noColor: false), .monochrome)
        XCTAssertEqual(ColorMode.detect(colors: 256, hasColors: true, noColor: true), .monochrome, "NO_COLOR wins")
    }

    /// The style of every role of every shipped theme in every colour mode, as a golden table.
    func testResolvedStylesPerColourMode() throws {
        var lines: [String] = []
        for name in ["dark", "light", "high-contrast", "mono"] {
            let text = try String(contentsOfFile: "\(Self.themesFolder)/\(name).yaml", encoding: .utf8)
            let theme = try ThemeParser.parse(text, path: name)
            for mode in ColorMode.allCases {
                let table = theme.resolved(for: mode)
                lines.append("== \(name) \(mode.rawValue)")
                lines += ThemeRole.allCases.map { "\($0.rawValue): \(table[$0]!)" }
            }
        }
        let url = GoldenFile.folder.appendingPathComponent("theme-styles.txt")
        let actual = lines.joined(separator: "\n") + "\n"
        if ProcessInfo.processInfo.environment["OPSBRAIN_UPDATE_GOLDEN"] == "1" { try actual.write(to: url, atomically: true, encoding: .utf8) }
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), actual, "theme-styles.txt differs (OPSBRAIN_UPDATE_GOLDEN=1 rewrites it)")
    }

    func testMonochromeKeepsMeaningThroughAttributes() {
        let mono = Theme.dark.resolved(for: .monochrome)
        for role in ThemeRole.allCases { XCTAssertEqual(mono[role]?.foreground, -1); XCTAssertEqual(mono[role]?.background, -1) }
        for role: ThemeRole in [.cursor, .statusBar, .tabActive, .dialogButtonFocus, .bannerReadOnly, .bannerPaused] {
            XCTAssertTrue(mono[role]!.attributes.contains(.reverse), "\(role.rawValue) stays visible without colour")
        }
        XCTAssertTrue(mono[.severityCritical]!.attributes.contains(.bold))
    }

    func testThemeLoaderFindsShippedThemesAndRejectsUnknownNames() throws {
        let loader = ThemeLoader(directories: ["/nonexistent", Self.themesFolder])
        XCTAssertEqual(try loader.load("light").name, "light")
        XCTAssertEqual(try loader.load(nil).name, "dark")
        XCTAssertEqual(loader.available(), ["dark", "high-contrast", "light", "mono"])
        XCTAssertThrowsError(try loader.load("neon")) { XCTAssertTrue("\($0)".contains("no theme named 'neon'")) }
        XCTAssertEqual(try ThemeLoader(directories: []).load("dark"), .dark, "dark is built in")
    }
}
