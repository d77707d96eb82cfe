import Foundation
import OpsBrainCore
import OpsBrainPlatform
#if canImport(Glibc)
import Glibc
#endif

/// A real HTTP service (python3's http.server) with start/stop/status scripts, as a deployment
/// would describe one to Ops Brain: a `service` target with argv commands.
public final class LocalService {
    public let port: Int
    public let directory: String
    private var pidFile: String { directory + "/service.pid" }
    /// A companion that opens nothing of its own, so its descriptors are exactly what it inherited.
    private var sidecarPidFile: String { directory + "/sidecar.pid" }

    public init() throws {
        directory = try TemporaryDirectory.make(prefix: "ob-service")
        port = try TestSockets.freePort()
        try script("start.sh", """
            #!/bin/sh
            cd "\(directory)" || exit 1
            setsid python3 -m http.server \(port) --bind 127.0.0.1 >/dev/null 2>&1 </dev/null &
            echo $! > "\(pidFile)"
            setsid sleep 600 >/dev/null 2>&1 </dev/null &
            echo $! > "\(sidecarPidFile)"
            for i in $(seq 1 50); do
              python3 -c "import socket; socket.create_connection(('127.0.0.1', \(port)), 0.2)" 2>/dev/null && exit 0
              sleep 0.1
            done
            exit 1
            """)
        try script("stop.sh", """
            #!/bin/sh
            [ -f "\(pidFile)" ] && kill "$(cat "\(pidFile)")" 2>/dev/null
            [ -f "\(sidecarPidFile)" ] && kill "$(cat "\(sidecarPidFile)")" 2>/dev/null
            rm -f "\(pidFile)" "\(sidecarPidFile)"
            exit 0
            """)
        try script("status.sh", """
            #!/bin/sh
            python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:\(port)/', timeout=2)"
            """)
    }

    private func script(_ name: String, _ text: String) throws {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    /// The config targets: `web` (http) and `web_service` (service with the scripts).
    public var configYAML: String {
        """
        targets:
          web:
            type: http
            url: http://127.0.0.1:\(port)
          web_service:
            type: service
            start: ["\(directory)/start.sh"]
            stop: ["\(directory)/stop.sh"]
            status: ["\(directory)/status.sh"]
        """
    }

    public func start() throws {
        let output = try ProcessRunner.run([directory + "/start.sh"], timeout: .seconds(15))
        guard output.exitCode == 0 else { throw StepFailure("the test service on port \(port) did not start") }
    }

    /// The running service's process id, from its pid file.
    public var pid: pid_t? { Self.readPid(pidFile) }

    /// The sidecar's process id: a process the start script leaves running that opens nothing itself.
    public var sidecarPid: pid_t? { Self.readPid(sidecarPidFile) }

    private static func readPid(_ path: String) -> pid_t? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Kills the service hard, as a crash would.
    public func kill() {
        guard let pid else { return }
        Glibc.kill(pid, SIGKILL)
        Thread.sleep(forTimeInterval: 0.2)
    }

    /// True when GET / answers.
    public func answers() -> Bool {
        (try? ProcessRunner.run([directory + "/status.sh"], timeout: .seconds(5)).exitCode) == 0
    }

    public func stop() {
        _ = try? ProcessRunner.run([directory + "/stop.sh"], timeout: .seconds(5))
    }
}
