import Foundation

/// When the injector breaks and repairs things: one fault every `every` seconds after `delay`, and
/// each fault a human must handle repaired by hand `repairAfter` seconds after it struck (long
/// enough for its probe to see it and the engine to escalate it), as the on-call engineer would.
public struct FaultSchedule: Sendable {
    public enum Action: Sendable {
        case inject(Fault)
        case repairByHand(Fault)
    }

    /// Seconds from the start, in order.
    public let events: [(at: Double, action: Action)]

    public init(faults: [Fault], delay: Double, every: Double, repairAfter: Double = 420) {
        var events: [(at: Double, action: Action)] = []
        for (index, fault) in faults.enumerated() {
            let at = delay + Double(index) * every
            events.append((at, .inject(fault)))
            if fault.expected == .escalate { events.append((at + repairAfter, .repairByHand(fault))) }
        }
        self.events = events.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
    }
}
