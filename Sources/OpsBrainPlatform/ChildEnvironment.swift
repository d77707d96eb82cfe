import Foundation

/// The environment a child process starts with: a short base plus the variables its caller names.
///
/// Nothing else of the engine's environment is passed on: the engine reads secrets from variables
/// (every `*_env` setting of the config), and a command or a restarted service must not see them.
public enum ChildEnvironment {
    /// The search path used when the engine itself has none.
    public static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// PATH, HOME and LANG as the engine has them, else the default path, the user's home (or /) and C.UTF-8.
    public static func base(of engine: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        [
            "PATH": nonEmpty(engine["PATH"]) ?? defaultPath,
            "HOME": nonEmpty(engine["HOME"]) ?? nonEmpty(NSHomeDirectory()) ?? "/",
            "LANG": nonEmpty(engine["LANG"]) ?? "C.UTF-8",
        ]
    }

    /// The base with `extra` on top (a variable in `extra` wins over the base's).
    public static func with(_ extra: [String: String]) -> [String: String] {
        base().merging(extra) { $1 }
    }

    private static func nonEmpty(_ value: String?) -> String? {
        value.flatMap { $0.isEmpty ? nil : $0 }
    }
}
