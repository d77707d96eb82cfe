import Foundation
import OpsBrainCore
import OpsBrainPlatform

/// Carries out `service_restart` and `job_restart`: `systemctl restart <unit>` for a service target
/// with a `unit`, or its `stop` then `start` argv; then its optional `status` argv must exit 0.
/// `job_restart` also runs a `command` target's argv. Neither can be undone.
///
/// Every command runs within what is left of the operation's timeout. A `start` command must return
/// once the service runs: a daemon it leaves behind must not keep the inherited stdout/stderr open.
public struct ServiceOperationDriver: OperationDriver {
    /// The directory that exists when systemd is the running init system.
    let systemdMarker: String
    /// The pause between two runs of a failing `status` command.
    static let statusInterval: Duration = .milliseconds(500)

    public init() { self.init(systemdMarker: "/run/systemd/system") }

    init(systemdMarker: String) { self.systemdMarker = systemdMarker }

    public var operations: Set<OperationType> { [.serviceRestart, .jobRestart] }

    /// The commands `execute` would run, in order.
    public func plan(_ operation: FixOperationSpec, context: StepContext) throws -> String {
        switch try Self.commands(for: operation, context: context) {
        case .systemd(let unit, let status):
            return "run: systemctl restart \(unit)" + Self.statusPlan(status)
        case .script(let stop, let start, let status):
            return (stop.map { "run: \(Self.show($0)) (a failure is recorded and ignored); then " } ?? "")
                + "run: \(Self.show(start))" + Self.statusPlan(status)
        case .command(let argv):
            return "run: \(Self.show(argv))"
        }
    }

    /// Restarts the service (or runs the job command) and checks its status.
    public func execute(_ operation: FixOperationSpec, context: StepContext) -> OperationOutcome {
        var log = RunLog(deadline: .now + operation.timeout, timeout: operation.timeout, context: context)
        do {
            let commands = try Self.commands(for: operation, context: context)
            let summary = try run(commands, log: &log)
            return OperationOutcome(succeeded: true, summary: "\(operation.target ?? "?"): \(summary)", details: log.details)
        } catch {
            return OperationOutcome(succeeded: false, summary: "\(operation.operation.rawValue) '\(operation.id)': \(error)",
                                    details: log.details)
        }
    }

    /// Restarts cannot be undone; this only says so.
    public func rollback(_ operation: FixOperationSpec, undo: JSONValue, context: StepContext) -> OperationOutcome {
        .failed("\(operation.operation.rawValue) '\(operation.id)' cannot be undone")
    }

    /// What a restart runs, from the target's settings.
    private enum Commands {
        case systemd(unit: String, status: [String]?)
        case script(stop: [String]?, start: [String], status: [String]?)
        case command([String])
    }

    private static func commands(for operation: FixOperationSpec, context: StepContext) throws -> Commands {
        let kinds: Set<TargetKind> = operation.operation == .jobRestart ? [.service, .command] : [.service]
        let target = try context.target(operation.target, kinds: kinds)
        if target.kind == .command { return .command(try argv("argv", of: target)) }
        let status = try target.fields["status"].map { _ in try argv("status", of: target) }
        if let unit = target.string("unit") { return .systemd(unit: unit, status: status) }
        let stop = try target.fields["stop"].map { _ in try argv("stop", of: target) }
        return .script(stop: stop, start: try argv("start", of: target), status: status)
    }

    private static func argv(_ key: String, of target: TargetDefinition) throws -> [String] {
        guard let items = target.fields[key]?.arrayValue, let argv = target.argv(key), argv.count == items.count,
              let first = argv.first, !first.isEmpty else {
            throw StepFailure("target '\(target.name)': '\(key)' must be a non-empty argv list")
        }
        return argv
    }

    private func run(_ commands: Commands, log: inout RunLog) throws -> String {
        switch commands {
        case .systemd(let unit, let status):
            guard FileManager.default.fileExists(atPath: systemdMarker) else {
                throw StepFailure("systemd is not running on this host (no \(systemdMarker)), so unit \(unit) cannot be restarted")
            }
            try log.require(["systemctl", "restart", unit], role: "restart")
            return "restarted \(unit)" + (try status.map { try log.awaitStatus($0, interval: Self.statusInterval) } ?? "")
        case .script(let stop, let start, let status):
            let stopCode = try stop.map { try log.run($0, role: "stop").exitCode }
            try log.require(start, role: "start")
            let stopped = switch stopCode {
            case nil: "started"
            case 0: "stopped and started"
            case let code?: "stop exited with \(code) (ignored: not running?), started"
            }
            return stopped + (try status.map { try log.awaitStatus($0, interval: Self.statusInterval) } ?? "")
        case .command(let argv):
            try log.require(argv, role: "command")
            return "ran \(argv[0])"
        }
    }

    private static func statusPlan(_ status: [String]?) -> String {
        status.map { "; then run \(show($0)) until it exits 0" } ?? ""
    }

    /// An argv for people: words joined by spaces, quoted when they hold spaces.
    static func show(_ argv: [String]) -> String {
        argv.map { $0.contains(" ") || $0.isEmpty ? "'\($0)'" : $0 }.joined(separator: " ")
    }
}

extension ServiceOperationDriver {
    /// The commands of one restart and what each did, sharing one deadline.
    struct RunLog {
        let deadline: ContinuousClock.Instant
        let timeout: Duration
        /// Whose secrets are masked in recorded output.
        let context: StepContext
        var steps: [JSONValue] = []

        var details: JSONValue { .object(["steps": .array(steps)]) }

        /// Runs `argv` and records it; throws only when it cannot run or runs out of time.
        @discardableResult
        mutating func run(_ argv: [String], role: String) throws -> ProcessOutput {
            let remaining = ContinuousClock.now.duration(to: deadline)
            guard remaining > .zero else { throw StepFailure("no time left for \(role) (timeout \(DurationSyntax.format(timeout)))") }
            var output = try ProcessRunner.run(argv, timeout: remaining, outputLimit: 64 * 1024)
            output.stderr = CommandStepRunner.redacted(output.stderr, context: context)
            steps.append(.object([
                "role": .string(role), "argv": .array(argv.map(JSONValue.string)),
                "exit_code": .number(Double(output.exitCode)), "timed_out": .bool(output.timedOut),
                "stderr": .string(CommandStepRunner.excerpt(output.stderr, limit: 1024)),
            ]))
            if output.timedOut { throw StepFailure("\(role) timed out after \(DurationSyntax.format(timeout)): \(argv[0])") }
            return output
        }

        /// Runs `argv`, which must exit 0.
        mutating func require(_ argv: [String], role: String) throws {
            let output = try run(argv, role: role)
            guard output.exitCode == 0 else {
                let reason = CommandStepRunner.excerpt(output.stderr.trimmingCharacters(in: .whitespacesAndNewlines), limit: 300)
                throw StepFailure("\(role) \(argv[0]) exited with \(output.exitCode)" + (reason.isEmpty ? "" : ": \(reason)"))
            }
        }

        /// Runs the status command until it exits 0 or the time is up; returns a note for the summary.
        mutating func awaitStatus(_ argv: [String], interval: Duration) throws -> String {
            var tries = 0
            while true {
                tries += 1
                let output = try run(argv, role: "status")
                if output.exitCode == 0 { return "; status check passed" + (tries > 1 ? " after \(tries) tries" : "") }
                guard ContinuousClock.now + interval < deadline else {
                    throw StepFailure("status check \(argv[0]) still exits \(output.exitCode) after \(tries) tries")
                }
                Thread.sleep(forTimeInterval: Double(interval.milliseconds) / 1000)
            }
        }
    }
}
