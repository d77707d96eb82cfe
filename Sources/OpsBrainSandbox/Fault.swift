import Foundation

/// One fault the injector can cause in a sandbox stack, with the SOP that should handle it, what a
/// good outcome is, and an independent check (not Ops Brain's) of whether the stack is healthy
/// again. Each fault is bound to the stack it breaks.
public struct Fault: Sendable {
    /// What a good engine does with this fault.
    public enum Expected: String, Sendable {
        /// A registered safe operation repairs it: fixing is right, escalating is a false escalation.
        case fix
        /// No safe operation should touch it: escalating to a human is right.
        case escalate
    }

    public let name: String
    /// What breaks, in one line a newcomer understands.
    public let summary: String
    /// The type of the alert the stack's monitoring raises for it.
    public let alertType: String
    /// The runbook that should match that alert.
    public let expectedSOP: String
    public let expected: Expected
    /// How many alerts (and so executions) the fault raises: one per broken instance.
    public let alerts: Int
    /// A path on the filesystem the fault fills, for faults that take disk space (nil otherwise):
    /// the bench reads that filesystem's free space itself, independent of Ops Brain's report.
    public let fills: String?
    private let injection: @Sendable () throws -> Void
    private let check: @Sendable () -> Bool
    private let undo: (@Sendable () -> Void)?

    init(name: String, summary: String, alertType: String, expectedSOP: String, expected: Expected = .fix, alerts: Int = 1,
         fills: String? = nil, inject: @escaping @Sendable () throws -> Void,
         healthy check: @escaping @Sendable () -> Bool,
         undo: (@Sendable () -> Void)? = nil) {
        self.name = name
        self.summary = summary
        self.alertType = alertType
        self.expectedSOP = expectedSOP
        self.expected = expected
        self.alerts = alerts
        self.fills = fills
        self.injection = inject
        self.check = check
        self.undo = undo
    }

    /// Breaks the stack.
    public func inject() throws { try injection() }

    /// True when the symptom is gone and the real goal holds, checked directly against the services.
    public func isHealthy() -> Bool { check() }

    /// The free bytes of the filesystem the fault fills, as `df` reads them (statvfs); nil when it
    /// fills none.
    public func freeBytes() -> Int64? {
        guard let fills else { return nil }
        var stats = statvfs()
        guard statvfs(fills, &stats) == 0 else { return nil }
        return Int64(stats.f_bavail) * Int64(stats.f_frsize)
    }

    /// Repairs by hand what Ops Brain is expected to leave to a human (after an escalation), or
    /// what it failed to repair, so the next fault starts from a healthy stack.
    public func repairByHand() { undo?() }
}

extension Array where Element == Fault {
    /// The fault called `name`, or an error listing the catalogue.
    public func named(_ name: String) throws -> Fault {
        guard let fault = first(where: { $0.name == name }) else {
            throw SandboxError("no fault named '\(name)'; the catalogue: \(map(\.name).joined(separator: ", "))")
        }
        return fault
    }
}
