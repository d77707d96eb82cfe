import ArgumentParser
import Foundation
import OpsBrainConsole
import OpsBrainCore
import OpsBrainDocuments

/// `opsbrain theme`: check and list console themes.
struct ThemeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "theme", abstract: "Check and list console themes.",
                                                    subcommands: [Check.self, List.self])

    /// `opsbrain theme check FILE...`.
    struct Check: OpsBrainSubcommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate theme files; prints file:line: error|warning: message, exits 1 on any error.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Theme files (.yaml).") var files: [String]

        func execute() throws {
            var errors = 0
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    print("\(file):0: error: cannot read the file")
                    errors += 1
                    continue
                }
                let (theme, issues) = ThemeParser.check(String(decoding: data, as: UTF8.self), path: file)
                for issue in issues { print(issue) }
                let fileErrors = issues.filter { $0.level == .error }.count
                errors += fileErrors
                if let theme, fileErrors == 0 {
                    print("\(file): ok: theme '\(theme.name)' sets \(theme.styles.count) of \(ThemeRole.allCases.count) roles"
                          + (theme.missingRoles.isEmpty ? "" : "; the rest come from the built-in theme"))
                }
            }
            if errors > 0 { throw ExitCode(1) }
        }
    }

    /// `opsbrain theme list`.
    struct List: OpsBrainSubcommand {
        static let configuration = CommandConfiguration(abstract: "List the themes found and the folders searched.")
        @OptionGroup var global: GlobalOptions

        func execute() throws {
            let loader = ThemeLoader.standard()
            for name in loader.available() { print(name) }
            print("searched: " + loader.directories.joined(separator: ", "))
        }
    }
}
