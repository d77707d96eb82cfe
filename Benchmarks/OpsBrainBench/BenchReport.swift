import Foundation
import OpsBrainPlatform

/// One measured figure with its baseline and target, as a row of BENCHMARKS.md.
struct BenchFigure {
    var name: String
    var value: String
    var baseline: String
    var ratio: String
    var target: String
    var met: Bool?
}

/// Collects figures and writes BENCHMARKS.md with the machine, date and commit.
final class BenchReport {
    private(set) var sections: [(title: String, note: String, figures: [BenchFigure])] = []

    func add(_ title: String, note: String, _ figures: [BenchFigure]) {
        sections.append((title, note, figures))
        print("\n## \(title)")
        for figure in figures { print("  \(figure.name): \(figure.value) (baseline \(figure.baseline), ratio \(figure.ratio), target \(figure.target))") }
    }

    /// A progress line on stderr (unbuffered, so a long run shows where it is).
    static func progress(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    func markdown() -> String {
        var lines = ["# Benchmarks", "",
                     "Measured by `make bench` (`Benchmarks/OpsBrainBench`); every figure is given with a baseline",
                     "measured in the same run on the same machine, and the ratio between them.", "",
                     "- machine: \(Self.machine())", "- date: \(Self.now())", "- commit: \(Self.commit())", ""]
        for section in sections {
            lines += ["## \(section.title)", "", section.note, "",
                      "| figure | value | baseline | ratio | target | met |", "|---|---|---|---|---|---|"]
            for figure in section.figures {
                let met = figure.met.map { $0 ? "yes" : "**no**" } ?? "-"
                lines.append("| \(figure.name) | \(figure.value) | \(figure.baseline) | \(figure.ratio) | \(figure.target) | \(met) |")
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    static func machine() -> String {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last?
            .trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        let memory = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8))?
            .split(separator: "\n").first?.split(whereSeparator: { $0 == " " }).dropFirst().first.flatMap { Int($0) } ?? 0
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores (\(cpu)), \(memory / 1_048_576) GiB"
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date())
    }

    static func commit() -> String {
        (try? ProcessRunner.run(["git", "rev-parse", "--short", "HEAD"], timeout: .seconds(5)).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? "unknown"
    }
}

/// Timing and resource helpers.
enum Measure {
    /// Runs `body` and returns the elapsed nanoseconds.
    static func nanoseconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        return nanoseconds(since: start)
    }

    /// Nanoseconds from `start` to now.
    static func nanoseconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = start.duration(to: .now)
        return Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
    }

    /// Percentile (0-100) of `values`.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((p / 100 * Double(sorted.count - 1)).rounded()))]
    }

    /// This process's CPU time (user + system) in milliseconds.
    static func cpuMilliseconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000
    }

    /// A field of /proc/<pid>/status in MiB (VmRSS, VmHWM); this process's by default.
    static func memoryMiB(_ field: String, process: String = "self") -> Double {
        let status = (try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix(field + ":") } ?? ""
        let kib = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Double($0) } ?? 0
        return kib / 1024
    }

    static func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }
}
