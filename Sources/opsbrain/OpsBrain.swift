import ArgumentParser
import Foundation

/// The `opsbrain` command: a self-healing operations system.
@main
struct OpsBrain: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "opsbrain",
        abstract: "Ops Brain: detect, diagnose, fix, verify and learn from operational problems.",
        discussion: "State lives in PostgreSQL. With no --database-url, DATABASE_URL, config 'database' "
            + "or PG* variables, Ops Brain starts its own private cluster (the embedded default). "
            + "Global options (--database-url, --config, --verbose) may stand before or after the subcommand.",
        version: version,
        subcommands: [DatabaseCommand.self, SOPCommand.self, EngineCommand.self, AlertCommand.self, ExecutionsCommand.self,
                      ExecutionCommand.self, DecisionCommand.self, RejectCommand.self, RollbackCommand.self, ConsoleCommand.self,
                      ThemeCommand.self, ReportCommand.self, IncidentCommand.self, VersionCommand.self])

    /// Moves global options written before the subcommand to the end, where the subcommand reads them.
    static func main() {
        main(GlobalOptionOrder.reorder(Array(CommandLine.arguments.dropFirst())))
    }
}

/// Lets `opsbrain --database-url X db status` mean `opsbrain db status --database-url X`.
enum GlobalOptionOrder {
    static let valued: Set<String> = ["--database-url", "--config"]
    static let flags: Set<String> = ["--verbose"]

    static func reorder(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = String(argument.split(separator: "=", maxSplits: 1).first ?? "")
            if valued.contains(argument), index + 1 < arguments.count {
                leading += [argument, arguments[index + 1]]
                index += 2
            } else if valued.contains(name) || flags.contains(argument) {
                leading.append(argument)
                index += 1
            } else {
                break
            }
        }
        let rest = Array(arguments[index...])
        guard !leading.isEmpty, !rest.isEmpty, !rest[0].hasPrefix("-") else { return arguments }
        return rest + leading
    }
}

/// `opsbrain version`: prints the version.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version.")

    func run() {
        print("opsbrain \(OpsBrain.version)")
    }
}
