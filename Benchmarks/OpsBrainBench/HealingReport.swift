import Foundation
import OpsBrainSandbox

/// The healing bench's figures for one profile: the seed's success metrics per pass, and a
/// table per pass with one row per fault.
struct HealingReport {
    let profile: SandboxProfile
    let configFile: String
    let first: [FaultRun]
    let second: [FaultRun]

    func add(to report: BenchReport) {
        add(first, pass: "first pass (fresh store)", to: report)
        add(second, pass: "second pass (steady state)", to: report)
    }

    private func add(_ runs: [FaultRun], pass: String, to report: BenchReport) {
        let fixable = runs.filter { $0.fault.expected == .fix }
        let mustEscalate = runs.filter { $0.fault.expected == .escalate }
        let attempted = runs.filter(\.ranFix)
        let fixTimes = runs.compactMap(\.fixSeconds)
        let outages = runs.compactMap(\.outageSeconds)
        let baseline = "\(runs.filter(\.brokenAtInjection).count)/\(runs.count) broken after injection"
        let covered = share(runs.filter(\.covered).count, runs.count)
        let auto = share(fixable.filter(\.autoFixed).count, fixable.count)
        let success = share(attempted.filter(\.fixed).count, attempted.count)
        let falseEscalations = share(fixable.filter(\.escalated).count, fixable.count)
        let meanFix = mean(fixTimes)
        let meanOutage = mean(outages)
        report.add("Healing effectiveness: \(profile.rawValue) profile, \(pass)", note: note(runs, pass: pass), [
            figure("SOP coverage (alert matched the right SOP)", covered, baseline: baseline, target: "100%", met: covered.value >= 100),
            figure("issues auto-fixed without a human", auto, baseline: baseline, target: "≥ 80%", met: auto.value >= 80),
            figure("fixed with the on-call's approval", share(fixable.filter(\.approvedFix).count, fixable.count),
                   baseline: baseline, target: "-", met: nil),
            BenchFigure(name: "average fix time (first alert → last verified)", value: seconds(meanFix),
                        baseline: seconds(meanOutage) + " injection → verified", ratio: Measure.format(meanFix / meanOutage, 2),
                        target: "< 5 min", met: meanFix < 300),
            figure("fix success rate (real goal reached / faults where a fix ran)", success, baseline: baseline, target: "≥ 95%",
                   met: success.value >= 95),
            figure("false escalations (fixable faults escalated)", falseEscalations, baseline: baseline, target: "< 5%",
                   met: falseEscalations.value < 5),
            figure("right escalations (faults a human must handle)", share(mustEscalate.filter(\.escalated).count, mustEscalate.count),
                   baseline: baseline, target: "100%", met: mustEscalate.allSatisfy(\.escalated)),
        ])
    }

    private func note(_ runs: [FaultRun], pass: String) -> String {
        let setting = profile == .sandbox
            ? "the sandbox's own app, PostgreSQL, Redis and Prometheus; alerts from the engine's probes"
            : "stock nginx + prometheus-nginx-exporter, six Python shop instances with their own metric names, stock Redis and "
              + "PostgreSQL with the shop's own tables; alerts from Prometheus rules through a real Alertmanager, and the engine's probes"
        let passText = pass.hasPrefix("first")
            ? "A fresh store: no history, every SOP starts at the prior success rate of 50."
            : "The same store after the first pass, started once the first pass's hourly caps and cooldowns had lapsed: "
              + "what differs is the history the first pass earned."
        var lines = ["""
            The \(profile.rawValue) profile's fault catalogue (`opsbrain-sandbox faults --profile \(profile.rawValue)`) injected into \
            \(setting), while the release `opsbrain engine` runs in auto mode on \(configFile) with the shipped SOPs unedited. \
            \(passText) The bench plays the on-call engineer: it approves at once what the engine asks approval for, and afterwards \
            checks each fault's real goal itself (not Ops Brain's verdict), and for faults that fill a disk reads the filesystem's \
            free space itself (statvfs, as `df` does) right after injection and when the executions ended. "Waiting for approval" \
            is the longest a request of the fault waited for the bench's answer; fix times leave it out. Baseline: the same check \
            right after injection.
            """, "", "| fault | expected | SOP matched | decision | outcome | waiting for approval | first alert → verified "
                + "| disk freed (df) | real goal reached |",
            "|---|---|---|---|---|---|---|---|---|"]
        for run in runs {
            let sops = Set(run.executions.map { $0.sop ?? "none" }).sorted().joined(separator: ", ")
            lines.append("| \(run.fault.name) | \(run.fault.expected.rawValue) | \(sops.isEmpty ? "none" : sops) | \(decisions(run)) | "
                         + "\(outcomes(run)) | \(run.approvalWait.map(seconds) ?? "-") | \(run.fixSeconds.map(seconds) ?? "-") | "
                         + "\(run.bytesFreed.map(megabytes) ?? "-") | \(run.healthyAfter ? "yes" : "no") |")
        }
        return lines.joined(separator: "\n")
    }

    /// The decisions, counted, with the reason of those that asked a person or escalated.
    private func decisions(_ run: FaultRun) -> String {
        guard !run.executions.isEmpty else { return "-" }
        let grouped = Dictionary(grouping: run.executions) { execution -> String in
            let approved = run.approved.contains(execution.id) ? " (approved)" : ""
            let why = execution.decision.hasPrefix("auto_fix") || execution.reason.isEmpty ? "" : ": " + execution.reason.prefix(90)
            return execution.decision + approved + why
        }
        return grouped.sorted { $0.key < $1.key }.map { grouped.count == 1 && $0.value.count == 1 ? $0.key : "\($0.value.count)× \($0.key)" }
            .joined(separator: "; ").replacingOccurrences(of: "|", with: "/")
    }

    private func outcomes(_ run: FaultRun) -> String {
        guard !run.executions.isEmpty else { return "no execution" }
        let counts = Dictionary(grouping: run.executions, by: \.status).mapValues(\.count)
        return counts.sorted { $0.key < $1.key }.map { counts.count == 1 && run.executions.count == 1 ? $0.key : "\($0.value)× \($0.key)" }
            .joined(separator: ", ")
    }

    private func mean(_ values: [Double]) -> Double { values.isEmpty ? .infinity : values.reduce(0, +) / Double(values.count) }

    private func share(_ part: Int, _ whole: Int) -> (value: Double, text: String) {
        let value = whole == 0 ? 0 : 100 * Double(part) / Double(whole)
        return (value, "\(Measure.format(value, 0))% (\(part)/\(whole))")
    }

    private func figure(_ name: String, _ share: (value: Double, text: String), baseline: String,
                        target: String, met: Bool?) -> BenchFigure {
        BenchFigure(name: name, value: share.text, baseline: baseline, ratio: "-", target: target, met: met)
    }

    private func megabytes(_ bytes: Int64) -> String { "\(Measure.format(Double(bytes) / 1_048_576, 1)) MB" }

    private func seconds(_ value: Double) -> String { value.isFinite ? "\(Measure.format(value, 0)) s" : "-" }
}
