import Foundation
import OpsBrainPlatform

/// The ncurses console as a process, under tmux at 200×60: time to the first full frame, CPU while
/// idle and resident memory, read from /proc for the console's own pid.
enum ConsoleProcessBench {
    struct Figures {
        var firstFrameMs: Double
        var idleCPUPercent: Double
        var rssMiB: Double
    }

    static let session = "opsbrain-bench-console"
    static let idleSeconds = 10.0

    /// Starts `opsbrain console --no-engine` on `url`, waits for its status bar, idles, then quits it.
    static func measure(opsbrain: String, url: String) throws -> Figures {
        _ = try? ProcessRunner.run(["tmux", "kill-session", "-t", session], timeout: .seconds(5))
        let started = ContinuousClock.now
        let launch = try ProcessRunner.run(["tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "60",
                                            opsbrain, "console", "--no-engine", "--database-url", url], timeout: .seconds(10))
        guard launch.exitCode == 0 else { throw BenchError("tmux could not start the console: \(launch.stderr)") }
        defer { _ = try? ProcessRunner.run(["tmux", "kill-session", "-t", session], timeout: .seconds(5)) }
        let firstFrame = try waitForFrame(since: started)
        guard let pid = try consolePid() else { throw BenchError("no console process in the tmux pane") }
        Thread.sleep(forTimeInterval: 1)
        let before = cpuTicks(pid)
        Thread.sleep(forTimeInterval: idleSeconds)
        let used = Double(cpuTicks(pid) - before) / Double(sysconf(Int32(_SC_CLK_TCK)))
        return Figures(firstFrameMs: firstFrame, idleCPUPercent: 100 * used / idleSeconds, rssMiB: Measure.memoryMiB("VmRSS", process: "\(pid)"))
    }

    /// Milliseconds until the pane shows the status bar and the newest alerts.
    private static func waitForFrame(since started: ContinuousClock.Instant) throws -> Double {
        while ContinuousClock.now - started < .seconds(20) {
            let pane = (try? ProcessRunner.run(["tmux", "capture-pane", "-p", "-t", session], timeout: .seconds(5)).stdout) ?? ""
            if pane.contains("OPS BRAIN") && pane.contains("Bench alert") { return Measure.nanoseconds(since: started) / 1e6 }
            usleep(2_000)
        }
        throw BenchError("the console drew no frame within 20 s")
    }

    private static func consolePid() throws -> Int32? {
        let panes = try ProcessRunner.run(["tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"], timeout: .seconds(5))
        return panes.stdout.split(whereSeparator: \.isNewline).first.flatMap { Int32($0) }
    }

    /// utime + stime of `pid`, in clock ticks.
    private static func cpuTicks(_ pid: Int32) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0)
    }
}

/// A benchmark that could not be measured, with the reason.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
