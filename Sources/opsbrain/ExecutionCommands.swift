import ArgumentParser
import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainPostgres

/// `opsbrain executions`: recent executions.
struct ExecutionsCommand: OpsBrainSubcommand {
    static let configuration = CommandConfiguration(commandName: "executions", abstract: "List executions, newest first.")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this status (diagnosing, awaiting_approval, fixing, verifying, success, failed, escalated, ...).") var status: String?
    @Option(help: "Only those started within this window (like 24h, 30m).") var since: String?
    @Option(help: "At most this many.") var limit = 50

    func execute() throws {
        if let status, ExecutionStatus(rawValue: status) == nil {
            throw CLIError("unknown status '\(status)': one of " + ExecutionStatus.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let window = try since.map { text -> Int in
            guard let duration = DurationSyntax.parse(text) else { throw CLIError("--since '\(text)' is not a duration like 24h") }
            return Int(duration.components.seconds)
        }
        let connection = try global.openDatabase(config: try global.loadConfig())
        defer { connection.close() }
        let rows = try ExecutionRepository(connection: connection).list(status: status, sinceSeconds: window, limit: limit)
        print(ExecutionReport.table(rows))
    }
}

/// `opsbrain execution show ID`.
struct ExecutionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "execution", abstract: "Inspect one execution.",
                                                    subcommands: [Show.self])

    struct Show: OpsBrainSubcommand {
        static let configuration = CommandConfiguration(abstract: "The outcome card, steps and full audit trail of an execution.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The execution id (or a unique prefix).") var id: String

        func execute() throws {
            let connection = try global.openDatabase(config: try global.loadConfig())
            defer { connection.close() }
            let repository = ExecutionRepository(connection: connection)
            guard let detail = try repository.detail(try repository.resolveID(id)) else { throw CLIError("no execution \(id)") }
            print(ExecutionReport.card(detail))
        }
    }
}

/// `opsbrain approve ID`; with `reject` and `rollback`, the human decisions, recorded with who and from where.
struct DecisionCommand: OpsBrainSubcommand {
    enum Kind { case approve, reject, rollback(harmful: Bool) }

    static let configuration = CommandConfiguration(commandName: "approve", abstract: "Approve a pending fix.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The execution id (or a unique prefix).") var id: String

    func execute() throws {
        try DecisionCommand.decide(global: global, id: id, kind: .approve, reason: nil)
    }

    static func decide(global: GlobalOptions, id: String, kind: Kind, reason: String?) throws {
        let connection = try global.openDatabase(config: try global.loadConfig())
        defer { connection.close() }
        let executionID = try ExecutionRepository(connection: connection).resolveID(id)
        let approvals = ApprovalRepository(connection: connection)
        let approver = ApproverIdentity.current()
        do {
            switch kind {
            case .approve: try approvals.decide(executionID, approve: true, approver: approver, reason: nil)
            case .reject: try approvals.decide(executionID, approve: false, approver: approver, reason: reason)
            case .rollback(let harmful): try approvals.requestRollback(executionID, approver: approver, harmful: harmful)
            }
        } catch let refused as ApprovalRefused {
            throw CLIError(refused.description)
        }
        let verb = switch kind {
        case .approve: "approved"
        case .reject: "rejected"
        case .rollback(let harmful): harmful ? "rollback (fix marked harmful) requested for" : "rollback requested for"
        }
        print("\(verb) \(executionID.uuidString.lowercased()) as \(approver.name)" + (approver.address.map { " from \($0)" } ?? ""))
    }
}

struct RejectCommand: OpsBrainSubcommand {
    static let configuration = CommandConfiguration(commandName: "reject", abstract: "Reject a pending fix, with a reason.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The execution id (or a unique prefix).") var id: String
    @Option(help: "Why (kept in the audit trail).") var reason: String

    func execute() throws {
        try DecisionCommand.decide(global: global, id: id, kind: .reject, reason: reason)
    }
}

struct RollbackCommand: OpsBrainSubcommand {
    static let configuration = CommandConfiguration(commandName: "rollback", abstract: "Roll back a finished execution's fixes.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The execution id (or a unique prefix).") var id: String
    @Flag(help: "The fix did harm: count the run as a failed fix in its SOP's statistics (a plain rollback leaves them as they are).")
    var harmful = false

    func execute() throws {
        try DecisionCommand.decide(global: global, id: id, kind: .rollback(harmful: harmful), reason: nil)
    }
}
