import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainDocuments

import OpsBrainSandbox

// Runs the benchmark suite and rewrites BENCHMARKS.md:
// `opsbrain-bench [--only matching|intake|backlog|healing|console] [--profile sandbox|stock] [--settle MINUTES] [OUTPUT]`.
// The healing bench runs both profiles unless --profile names one; --settle is the pause between its passes (default 61).
var arguments = Array(CommandLine.arguments.dropFirst())
/// Removes `--name VALUE` from the arguments and returns VALUE.
@MainActor func option(_ name: String) -> String? {
    guard let flag = arguments.firstIndex(of: name), flag + 1 < arguments.count else { return nil }
    defer { arguments.removeSubrange(flag...(flag + 1)) }
    return arguments[flag + 1]
}
let only = option("--only")
let profiles = try option("--profile").map { name in
    guard let profile = SandboxProfile(rawValue: name) else { throw BenchError("unknown profile '\(name)': sandbox or stock") }
    return [profile]
} ?? SandboxProfile.allCases
let settleMinutes = option("--settle").flatMap(Double.init) ?? 61
let output = arguments.first ?? "BENCHMARKS.md"
let report = BenchReport()
let startRSS = Measure.memoryMiB("VmRSS")

let (sources, _) = SOPFiles.collect(["SOPs"])
let catalogue = SOPLinter.lint(sources, config: nil).documents.map(\.definition)
guard catalogue.count >= 50 else { fatalError("run from the repository root: SOPs/ has \(catalogue.count) valid files") }

MatchingBench.run(report: report, catalogue: catalogue)
if only == "matching" { exit(0) }
/// The release binaries built next to this one (`make bench` builds them all).
let binDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
if only == "intake" {
    try IntakeBench.run(report: report, binDirectory: binDirectory)
    print(report.markdown())
    exit(0)
}
if only == "console" {
    try ConsoleBench.run(report: report, opsbrain: binDirectory + "/opsbrain")
    exit(0)
}
if only == "backlog" {
    try BacklogBench.run(report: report)
    try report.markdown().write(toFile: output, atomically: true, encoding: .utf8)
    exit(0)
}
if only == "healing" {
    for profile in profiles { try HealingBench.run(report: report, binDirectory: binDirectory, profile: profile, settleMinutes: settleMinutes) }
    try report.markdown().write(toFile: output, atomically: true, encoding: .utf8)
    exit(0)
}
let thousand = Matcher(sops: MatchingBench.scaled(catalogue, to: 1000))
_ = thousand.bestMatch(for: AlertSnapshot(alertType: "disk_usage_high", title: "Disk 95%"))
let loadedRSS = Measure.memoryMiB("VmRSS")
report.add("Memory", note: "Resident memory of the bench process with 1,000 SOPs parsed and indexed; baseline: the same process at start.", [
    BenchFigure(name: "RSS with 1,000 SOPs", value: "\(Measure.format(loadedRSS)) MiB", baseline: "\(Measure.format(startRSS)) MiB at start",
                ratio: Measure.format(loadedRSS / startRSS), target: "≤ 100 MB", met: loadedRSS <= 100),
])
do {
    try DecisionBench.run(report: report)
} catch {
    FileHandle.standardError.write(Data("decision bench failed: \(error)\n".utf8))
}
do {
    try IntakeBench.run(report: report, binDirectory: binDirectory)
} catch {
    FileHandle.standardError.write(Data("intake bench failed: \(error)\n".utf8))
}
do {
    try BacklogBench.run(report: report)
} catch {
    FileHandle.standardError.write(Data("backlog bench failed: \(error)\n".utf8))
}
for profile in profiles {
    do {
        try HealingBench.run(report: report, binDirectory: binDirectory, profile: profile, settleMinutes: settleMinutes)
    } catch {
        FileHandle.standardError.write(Data("healing bench (\(profile.rawValue)) failed: \(error)\n".utf8))
    }
}
do {
    try ConsoleBench.run(report: report, opsbrain: binDirectory + "/opsbrain")
} catch {
    FileHandle.standardError.write(Data("console bench failed: \(error)\n".utf8))
}
try report.markdown().write(toFile: output, atomically: true, encoding: .utf8)
print("\nwrote \(output)")
exit(0)
