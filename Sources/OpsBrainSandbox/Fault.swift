import Foundation

/// One fault the injector can cause in the sandbox, with the SOP that should handle it, what a
/// good outcome is, and an independent check (not Ops Brain's) of whether the sandbox is healthy again.
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
    /// The type of the alert the sandbox's probes raise for it.
    public let alertType: String
    /// The runbook that should match that alert.
    public let expectedSOP: String
    public let expected: Expected
    let inject: @Sendable (SandboxLayout) throws -> Void
    let check: @Sendable (SandboxLayout) -> Bool
    let undo: (@Sendable (SandboxLayout) -> Void)?

    init(name: String, summary: String, alertType: String, expectedSOP: String, expected: Expected = .fix,
         inject: @escaping @Sendable (SandboxLayout) throws -> Void,
         healthy check: @escaping @Sendable (SandboxLayout) -> Bool,
         undo: (@Sendable (SandboxLayout) -> Void)? = nil) {
        self.name = name
        self.summary = summary
        self.alertType = alertType
        self.expectedSOP = expectedSOP
        self.expected = expected
        self.inject = inject
        self.check = check
        self.undo = undo
    }

    /// Breaks the sandbox.
    public func inject(into layout: SandboxLayout) throws { try inject(layout) }

    /// True when the symptom is gone, checked directly against the service.
    public func isHealthy(_ layout: SandboxLayout) -> Bool { check(layout) }

    /// Repairs by hand what Ops Brain is expected to leave to a human (after an escalation).
    public func repairByHand(_ layout: SandboxLayout) { undo?(layout) }
}
