import Foundation
import OpsBrainSandbox

/// The healing bench's figures: the seed's success metrics over the fault runs, and a table per fault.
struct HealingReport {
    let runs: [FaultRun]
    let allExecutions: Int

    func add(to report: BenchReport) {
        let fixable = runs.filter { $0.fault.expected == .fix }
        let mustEscalate = runs.filter { $0.fault.expected == .escalate }
        let attempted = runs.filter { $0.execution?.ranFix == true }
        let fixTimes = runs.compactMap(\.fixSeconds)
        let outages = runs.compactMap(\.outageSeconds)
        let broken = runs.filter(\.brokenAtInjection).count
        let covered = share(runs.filter(\.covered).count, runs.count)
        let auto = share(fixable.filter(\.autoFixed).count, fixable.count)
        let success = share(attempted.filter(\.fixed).count, attempted.count)
        let falseEscalations = share(fixable.filter(\.escalated).count, fixable.count)
        let meanFix = fixTimes.isEmpty ? .infinity : fixTimes.reduce(0, +) / Double(fixTimes.count)
        let meanOutage = outages.isEmpty ? .infinity : outages.reduce(0, +) / Double(outages.count)
        let baseline = "\(broken)/\(runs.count) broken after injection"
        report.add("Healing effectiveness", note: note(), [
            figure("SOP coverage (alert matched the right SOP)", covered, baseline: baseline, target: "≥ 90%", met: covered.value >= 90),
            figure("issues auto-fixed without a human", auto, baseline: baseline, target: "≥ 80%", met: auto.value >= 80),
            figure("fixed with the on-call's approval", share(fixable.filter { $0.fixed && $0.approvedByBench }.count, fixable.count),
                   baseline: baseline, target: "-", met: nil),
            BenchFigure(name: "average fix time (alert → verified)", value: seconds(meanFix), baseline: seconds(meanOutage) + " injection → verified",
                        ratio: Measure.format(meanFix / meanOutage, 2), target: "< 5 min", met: meanFix < 300),
            figure("fix success rate (verified / fixes run)", success, baseline: baseline, target: "≥ 95%", met: success.value >= 95),
            figure("false escalations (fixable faults escalated)", falseEscalations, baseline: baseline, target: "< 5%",
                   met: falseEscalations.value < 5),
            figure("right escalations (faults a human must handle)", share(mustEscalate.filter(\.escalated).count, mustEscalate.count),
                   baseline: baseline, target: "100%", met: mustEscalate.allSatisfy(\.escalated)),
        ])
    }

    private func note() -> String {
        var lines = ["""
            The fault catalogue (`opsbrain-sandbox faults`) injected into the sandbox's real services (the app, its PostgreSQL, \
            Redis, Prometheus, files) while the release `opsbrain engine` runs in auto mode on sandbox/opsbrain.yaml with the \
            shipped SOPs and a fresh store (no history: every SOP starts at the prior success rate of 50). The bench plays \
            the on-call engineer: it approves at once what the engine asks approval for, and afterwards checks each service \
            itself (not Ops Brain's verdict). Baseline: the same check right after injection (the fault took hold). \
            \(allExecutions) executions in all (\(runs.count) faults).
            """, "", "| fault | expected | SOP matched | decision | outcome | alert → verified | healthy after |", "|---|---|---|---|---|---|---|"]
        for run in runs {
            let execution = run.execution
            lines.append("| \(run.fault.name) | \(run.fault.expected.rawValue) | \(execution?.sop ?? "none") | "
                         + "\(execution?.decision ?? "-")\(run.approvedByBench ? " (approved)" : "") | \(execution?.status ?? "no execution") | "
                         + "\(run.fixSeconds.map(seconds) ?? "-") | \(run.healthyAfter ? "yes" : "no") |")
        }
        return lines.joined(separator: "\n")
    }

    private func share(_ part: Int, _ whole: Int) -> (value: Double, text: String) {
        let value = whole == 0 ? 0 : 100 * Double(part) / Double(whole)
        return (value, "\(Measure.format(value, 0))% (\(part)/\(whole))")
    }

    private func figure(_ name: String, _ share: (value: Double, text: String), baseline: String,
                        target: String, met: Bool?) -> BenchFigure {
        BenchFigure(name: name, value: share.text, baseline: baseline, ratio: "-", target: target, met: met)
    }

    private func seconds(_ value: Double) -> String { value.isFinite ? "\(Measure.format(value, 0)) s" : "-" }
}
