import Foundation
import OpsBrainCore
import OpsBrainPlatform

/// Runs `command` steps: an argv (from the step or a `command` target) with the step's timeout,
/// yielding its exit code and the start of its output.
public struct CommandStepRunner: StepRunner {
    /// The most output read from each stream of the command.
    static let outputLimit = 64 * 1024
    /// The most bytes of each stream kept in the step's values.
    static let valueLimit = 4096

    public init() {}

    public var stepTypes: Set<StepType> { [.command] }

    /// Runs the step's command and reports `exit_code`, `stdout` and `stderr`.
    public func run(_ step: StepSpec, context: StepContext) -> StepResult {
        let started = ContinuousClock.now
        func elapsed() -> Int { Int(started.duration(to: .now).milliseconds) }
        do {
            let argv = try Self.argv(for: step, context: context)
            let output = try ProcessRunner.run(argv, timeout: step.timeout, outputLimit: Self.outputLimit)
            if output.timedOut {
                return .failure("timed out after \(DurationSyntax.format(step.timeout)): \(argv[0])", durationMs: elapsed())
            }
            return StepResult(values: [
                "exit_code": .number(Double(output.exitCode)),
                "stdout": .string(Self.excerpt(Self.redacted(output.stdout, context: context))),
                "stderr": .string(Self.excerpt(Self.redacted(output.stderr, context: context))),
            ], durationMs: elapsed())
        } catch let failure as StepFailure {
            return .failure("step '\(step.id)': \(failure.message)", durationMs: elapsed())
        } catch {
            return .failure("step '\(step.id)': \(error)", durationMs: elapsed())
        }
    }

    /// The argv the step runs: its own `argv` parameter, or its `command` target's `argv`.
    static func argv(for step: StepSpec, context: StepContext) throws -> [String] {
        if let given = step.parameters["argv"] {
            guard step.target == nil else { throw StepFailure("give either argv or a command target, not both") }
            return try checked(given.arrayValue?.compactMap(\.stringValue), count: given.arrayValue?.count, source: "argv")
        }
        guard step.target != nil else { throw StepFailure("a command step needs argv or a command target") }
        let target = try context.target(step.target, kinds: [.command])
        return try checked(target.argv("argv"), count: target.fields["argv"]?.arrayValue?.count,
                           source: "target '\(target.name)' argv")
    }

    private static func checked(_ argv: [String]?, count: Int?, source: String) throws -> [String] {
        guard let argv, argv.count == count, let first = argv.first, !first.isEmpty else {
            throw StepFailure("\(source) must be a non-empty list of strings")
        }
        return argv
    }

    /// `text` with every secret the config's targets read from the environment masked as `***`.
    static func redacted(_ text: String, context: StepContext) -> String {
        let secrets = context.targets.values.flatMap { $0.secrets(environment: context.environment) }
        return secrets.sorted { $0.count > $1.count }.reduce(text) { $0.replacingOccurrences(of: $1, with: "***") }
    }

    /// At most `limit` bytes of `text`, cut at a character boundary.
    static func excerpt(_ text: String, limit: Int = valueLimit) -> String {
        guard text.utf8.count > limit else { return text }
        var bytes = 0
        var end = text.unicodeScalars.startIndex
        for scalar in text.unicodeScalars {
            bytes += scalar.utf8.count
            if bytes > limit { break }
            text.unicodeScalars.formIndex(after: &end)
        }
        return String(text.unicodeScalars[..<end])
    }
}
