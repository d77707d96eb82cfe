import Foundation

/// One `opsbrain engine` process, its output in a log file.
final class EngineChild {
    private let process = Process()
    var pid: Int32 { process.processIdentifier }

    init(binary: String, config: String, databaseURL: String, log: String) throws {
        FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["engine", "--config", config, "--database-url", databaseURL, "--listen", "off", "--no-sync"]
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    /// Kills the engine outright, as a crash or the OOM killer would.
    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Stops the engine gracefully, if it still runs.
    func terminate() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
