import Foundation
import OpsBrainCore
import OpsBrainDocuments
import Synchronization

/// The preflight: every set-up SOP's read-only diagnosis run once against the deployment, so a
/// missing table, an empty metric or a wrong path shows at setup rather than in a 3 am diagnosis.
public enum SOPPreflight {
    /// What a preflight found.
    public struct Report: Sendable {
        /// SOPs whose diagnosis ran (those set up here).
        public var sopsChecked: Int
        public var stepsRun: Int
        /// Sorted by file and line.
        public var findings: [PreflightFinding]
    }

    /// Runs the diagnosis steps of each document that is set up under `settings.targets`, up to
    /// `parallel` steps at a time (each bounded by its own timeout).
    public static func run(_ documents: [SOPDocument], settings: EngineSettings, registry: RunnerRegistry, parallel: Int = 8) -> Report {
        let setUp = documents.filter { $0.definition.missingTargets(in: settings.targets).isEmpty }
        let work = setUp.flatMap { document in
            instances(of: document.definition, targets: settings.targets).flatMap { instance in
                document.definition.diagnosis.map { (document, $0, instance) }
            }
        }
        let results = ParallelWork.map(work, width: parallel) { document, step, instance in
            let context = context(for: document.definition, instance: instance, settings: settings)
            return finding(step, in: document, instance: instance, result: registry.run(step, context: context), settings: settings)
        }
        let findings = results.compactMap { $0 }.sorted { ($0.file, $0.line) < ($1.file, $1.line) }
        return Report(sopsChecked: setUp.count, stepsRun: work.count, findings: findings)
    }

    /// The declared instances an SOP's instance targets share (each is checked), or one nil for plain targets.
    private static func instances(of sop: SOPDefinition, targets: [String: TargetDefinition]) -> [String?] {
        guard let selection = InstanceSelection(sop: sop, targets: targets) else { return [nil] }
        let keys = selection.targets.values.map { Set($0.members.keys) }
        guard var shared = keys.first else { return [nil] }
        for set in keys.dropFirst() { shared.formIntersection(set) }
        return shared.sorted()
    }

    private static func finding(_ step: StepSpec, in document: SOPDocument, instance: String?, result: StepResult,
                                settings: EngineSettings) -> PreflightFinding? {
        guard let (problem, detail) = PreflightJudgment.problem(of: step, result: result) else { return nil }
        let sop = document.definition.name
        let hint = step.skipResult == nil ? "" : "; if this deployment has no such thing, skip the step: sop_parameters.skip_steps.\(sop): [\(step.id)]"
        return PreflightFinding(sop: sop, step: step.id + (instance.map { " (instance \($0))" } ?? ""),
                                file: document.path, line: document.line(of: "diagnosis.\(step.id)"), problem: problem,
                                detail: settings.redactor.redact(detail) + hint)
    }

    /// A stand-in alert of the SOP's first trigger type: preflight asks whether the steps can observe, not what.
    private static func context(for sop: SOPDefinition, instance: String?, settings: EngineSettings) -> StepContext {
        let alert = AlertSnapshot(source: "preflight", alertType: sop.trigger.alertTypes.first ?? "preflight",
                                  title: "preflight of \(sop.name)", createdAt: Date())
        return StepContext(executionID: UUID(), alert: alert, targets: settings.targets, instance: instance,
                           environment: settings.environment)
    }
}

/// Maps work items on a few threads at a time, keeping their order.
enum ParallelWork {
    static func map<Item, Result: Sendable>(_ items: [Item], width: Int, _ body: @escaping @Sendable (Item) -> Result) -> [Result]
    where Item: Sendable {
        let results = ResultSlots<Result>(count: items.count)
        let group = DispatchGroup()
        let gate = DispatchSemaphore(value: max(1, width))
        for (index, item) in items.enumerated() {
            gate.wait()
            group.enter()
            Thread {
                results.set(index, body(item))
                gate.signal()
                group.leave()
            }.start()
        }
        group.wait()
        return results.values
    }
}

/// Results written by several threads, one slot each.
private final class ResultSlots<Value: Sendable>: Sendable {
    private let slots: Mutex<[Value?]>

    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

    func set(_ index: Int, _ value: Value) { slots.withLock { $0[index] = value } }

    var values: [Value] { slots.withLock { $0.compactMap { $0 } } }
}
