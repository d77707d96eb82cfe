import Foundation
import OpsBrainCore
import OpsBrainDocuments

/// Finds and reads themes: a file path, else `NAME.yaml` in the user's theme folder, then in the shipped
/// `themes/` folders; `dark` is also built in. Missing roles fall back to the built-in theme.
public struct ThemeLoader: Sendable {
    /// Folders searched in order (the user's first).
    public var directories: [String]

    public init(directories: [String]) { self.directories = directories }

    /// The standard folders: `$XDG_CONFIG_HOME/opsbrain/themes` (or `~/.config/...`), `./themes`, and
    /// `themes` or `../share/opsbrain/themes` next to the executable.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment,
                                executablePath: String = CommandLine.arguments.first ?? "") -> ThemeLoader {
        let configBase = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        let executableFolder = executablePath.isEmpty ? ""
            : URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent().path
        var folders = [configBase + "/opsbrain/themes", FileManager.default.currentDirectoryPath + "/themes"]
        if !executableFolder.isEmpty {
            folders += [executableFolder + "/themes", executableFolder + "/../share/opsbrain/themes"]
        }
        return ThemeLoader(directories: folders)
    }

    /// Loads `name` (a theme name or a `.yaml` path); nil means `dark`.
    public func load(_ name: String?) throws -> Theme {
        let wanted = name ?? "dark"
        if wanted.contains("/") || wanted.hasSuffix(".yaml") { return try read(wanted) }
        for folder in directories {
            let path = "\(folder)/\(wanted).yaml"
            if FileManager.default.fileExists(atPath: path) { return try read(path) }
        }
        if wanted == "dark" { return .dark }
        throw TerminalError("no theme named '\(wanted)' (known: \(available().joined(separator: ", ")); or pass a .yaml path)")
    }

    /// The theme names found in the folders, plus the built-in `dark`.
    public func available() -> [String] {
        var names: Set<String> = ["dark"]
        for folder in directories {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for file in files where file.hasSuffix(".yaml") { names.insert(String(file.dropLast(5))) }
        }
        return names.sorted()
    }

    private func read(_ path: String) throws -> Theme {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 256 * 1024 else {
            throw TerminalError("cannot read theme file \(path) (missing, unreadable or over 256 KiB)")
        }
        return try ThemeParser.parse(String(decoding: data, as: UTF8.self), path: path)
    }
}
