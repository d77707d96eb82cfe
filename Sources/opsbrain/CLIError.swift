import ArgumentParser
import Foundation
import OpsBrainDocuments

/// A failure to show the user as one line, without a stack trace.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A command whose failures print as `opsbrain: error: ...` and exit non-zero.
protocol OpsBrainSubcommand: ParsableCommand {
    var global: GlobalOptions { get }
    /// The command's work; thrown errors are reported by `run()`.
    func execute() throws
}

extension OpsBrainSubcommand {
    func run() throws {
        global.bootstrapLogging()
        do {
            try execute()
        } catch let error as ExitCode {
            throw error
        } catch let failure as ConfigParser.Failure {
            FileHandle.standardError.write(Data("\(failure)\n".utf8))
            throw ExitCode(2)
        } catch {
            FileHandle.standardError.write(Data("opsbrain: error: \(error)\n".utf8))
            throw ExitCode(error is CLIUsageFailure ? 2 : 1)
        }
    }
}

/// Marks errors that are the user's input (exit 2) rather than the environment's (exit 1).
protocol CLIUsageFailure: Error {}
