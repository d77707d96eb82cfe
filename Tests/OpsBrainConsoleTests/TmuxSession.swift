import Foundation
import OpsBrainCore
import OpsBrainPlatform
import XCTest

/// A detached tmux session on a private server socket, running one command at a fixed size:
/// keys go in with `send-keys`, the screen comes out with `capture-pane`.
final class TmuxSession {
    let socket = "obc-\(UUID().uuidString.prefix(8).lowercased())"
    let name = "console"

    init(command: String, width: Int, height: Int) throws {
        // The server that new-session starts keeps its client's descriptors: give it none of ours.
        let start = ["tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", name, "-x", String(width), "-y", String(height),
                     command].map(Self.quoted).joined(separator: " ")
        let output = try ProcessRunner.run(["/bin/sh", "-c", "exec \(start) </dev/null >/dev/null 2>&1"], timeout: .seconds(10))
        guard output.exitCode == 0 else { throw StepFailure("tmux new-session failed with exit code \(output.exitCode)") }
    }

    deinit { try? tmux(["kill-server"]) }

    private static func quoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// Runs a tmux client command against this session's server and returns its output.
    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        try ProcessRunner.run(["tmux", "-L", socket, "-f", "/dev/null"] + arguments, timeout: .seconds(10)).stdout
    }

    /// Types keys (tmux key names such as `Enter`, `Escape`, or literal text with `literal`).
    func send(_ keys: String, literal: Bool = true) throws {
        try tmux(["send-keys", "-t", name] + (literal ? ["-l", keys] : [keys]))
    }

    /// The screen as text.
    func screen() -> String { (try? tmux(["capture-pane", "-p", "-t", name])) ?? "" }

    /// Waits until the screen contains `text`; fails with the last screen otherwise.
    @discardableResult
    func waitFor(_ text: String, timeout: TimeInterval = 20, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if screen().contains(text) { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTFail("\(compactScreen())\n'\(text)' not on screen after \(timeout)s (the screen is above)", file: file, line: line)
        return false
    }

    /// The screen without trailing blanks and empty lines (framed ones included), so that a failure shows all of it
    /// (logs keep a failure's last lines: the words come last).
    func compactScreen() -> String {
        screen().split(separator: "\n").map { $0.replacing(/\s+$/, with: "") }.filter { !$0.allSatisfy(" │|".contains) }.joined(separator: "\n")
    }

    func resize(width: Int, height: Int) throws {
        try tmux(["resize-window", "-t", name, "-x", String(width), "-y", String(height)])
    }

    /// The pid of the pane's process.
    func panePID() throws -> Int32? {
        Int32(try tmux(["display-message", "-p", "-t", name, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
