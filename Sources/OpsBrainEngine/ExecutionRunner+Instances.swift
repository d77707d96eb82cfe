import Foundation
import OpsBrainCore
import OpsBrainPostgres

extension ExecutionRunner {
    /// At most this many instances are named in a fleet-wide escalation's reason (all are in its alerts).
    static let fleetNamesShown = 10

    /// An execution that intake placed outside one declared instance runs nothing and is escalated:
    /// for a label value that is not declared, naming it and the target that lacks it; past the
    /// SOP's cap, as one fleet-wide escalation naming how many instances it stands for.
    func escalateOutsideInstances(_ record: ExecutionRecord, entry: CatalogEntry, placement: InstancePlacement,
                                  context: StepContext) throws {
        var findings: [String: JSONValue] = ["scope": .string(placement.scope.rawValue),
                                             "instance": placement.key.map(JSONValue.string) ?? .null]
        let reason: String
        if placement.scope == .fleet, let selection = entry.selection {
            let instances = try repository.fleetInstances(record.id, label: selection.labels.first ?? "instance")
            findings["instances"] = .array(instances.map(JSONValue.string))
            reason = fleetReason(sop: entry.definition.name, cap: selection.maxExecutions, instances: instances)
        } else if case .undeclared(_, let why) = entry.selection?.choose(labels: context.alert.labels) {
            reason = why
        } else {
            reason = "\(placement.phrase) is not one this deployment declares for SOP \(entry.definition.name); nothing was run"
        }
        try escalateWithoutRunning(record, reason: reason, findings: ["instances": .object(findings)])
    }

    /// Why alerts past the cap are one escalation, with how many instances it stands for.
    private func fleetReason(sop: String, cap: Int, instances: [String]) -> String {
        let shown = instances.prefix(Self.fleetNamesShown).joined(separator: ", ")
            + (instances.count > Self.fleetNamesShown ? ", …" : "")
        return "fleet-wide escalation: SOP \(sop) already has its cap of \(cap) executions open for single instances "
            + "(max_executions); \(instances.count) more instance\(instances.count == 1 ? "" : "s") alerted (\(shown)) "
            + "and \(instances.count == 1 ? "is" : "are") escalated here together; nothing was run for them"
    }
}
