import ArgumentParser
import Foundation
import OpsBrainSandbox

/// `opsbrain-sandbox`: the demo's real local services and the faults that break them.
@main
struct SandboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opsbrain-sandbox",
        abstract: "Real local services for the demo and the healing benchmark, and a fault injector that breaks them.",
        discussion: "Everything lives in /tmp/opsbrain-sandbox and on fixed loopback ports (app 18080, Redis 16379, "
            + "Prometheus 19090, PostgreSQL 15432), as sandbox/opsbrain.yaml describes them to Ops Brain.",
        subcommands: [Up.self, Down.self, Status.self, Env.self, Faults.self, Inject.self, Run.self, App.self, Inbox.self, HoldTransaction.self])

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start the app's PostgreSQL, Redis, Prometheus and the app.")
        @OptionGroup var options: SandboxOptions
        func run() throws {
            let layout = options.layout
            try SandboxServices(layout: layout).up(executable: try SandboxCommand.ownExecutable())
            print("sandbox up: app \(layout.appURL), client secret in \(layout.clientSecretFile)")
        }
    }

    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop every sandbox service.")
        @OptionGroup var options: SandboxOptions
        @Flag(help: "Also delete /tmp/opsbrain-sandbox.") var purge = false
        func run() throws { try SandboxServices(layout: options.layout).down(purge: purge) }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say which sandbox services run.")
        @OptionGroup var options: SandboxOptions
        func run() throws {
            for (service, up) in SandboxServices(layout: options.layout).status() { print("\(service): \(up ? "running" : "stopped")") }
        }
    }

    struct Env: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the environment the engine needs (shell export lines): the client secret and the inbox's webhook and keys.")
        @OptionGroup var options: SandboxOptions
        func run() throws {
            for (name, value) in try SandboxServices(layout: options.layout).engineEnvironment().sorted(by: { $0.key < $1.key }) {
                print("export \(name)='\(value)'")
            }
        }
    }

    struct Inbox: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the local Slack/Pushover/PagerDuty inbox in the foreground.")
        @OptionGroup var options: SandboxOptions
        func run() throws {
            let layout = options.layout
            let inbox = NotificationInbox(layout: layout)
            try inbox.start()
            print("notification inbox listening on 127.0.0.1:\(layout.inboxPort)")
            withExtendedLifetime(inbox) { SandboxCommand.sleepForever() }
        }
    }

    struct HoldTransaction: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hold-transaction", abstract: "Open a transaction on the app database and sit idle in it until killed.")
        @OptionGroup var options: SandboxOptions
        @Option(help: "The session's application_name.") var application = "psql"
        func run() throws {
            let session = try FaultCatalogue.holdTransaction(application: application, layout: options.layout)
            print("holding a transaction open as '\(application)' (pid \(getpid()))")
            withExtendedLifetime(session) { SandboxCommand.sleepForever() }
        }
    }

    struct Faults: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the fault catalogue.")
        func run() {
            for fault in FaultCatalogue.all {
                print("\(fault.name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(fault.expectedSOP.padding(toLength: 30, withPad: " ", startingAt: 0)) "
                      + "\(fault.expected == .fix ? "fix     " : "escalate") \(fault.summary)")
            }
        }
    }

    struct Inject: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cause one or more faults now.")
        @OptionGroup var options: SandboxOptions
        @Argument(help: "Fault names (see 'faults').") var names: [String]
        func run() throws {
            for name in names {
                try FaultCatalogue.named(name).inject(into: options.layout)
                print("injected \(name)")
            }
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send user traffic to the app and play the fault catalogue on a schedule (once), then keep the traffic going until interrupted.",
            discussion: "Faults a human must handle are repaired by hand 7 minutes after they strike, as the on-call engineer would.")
        @OptionGroup var options: SandboxOptions
        @Option(help: "Seconds between two faults.") var every = 60
        @Option(help: "Seconds before the first fault.") var delay = 10
        @Option(help: "Comma-separated fault names (default: the whole catalogue, in order).") var faults: String?
        @Option(help: "API requests per second.") var rate = 10

        func run() throws {
            let layout = options.layout
            let chosen = try faults.map { try $0.split(separator: ",").map { try FaultCatalogue.named(String($0)) } } ?? FaultCatalogue.all
            SandboxTraffic(layout: layout, perSecond: rate).start()
            let start = Date()
            for event in FaultSchedule(faults: chosen, delay: Double(delay), every: Double(every)).events {
                let wait = event.at - Date().timeIntervalSince(start)
                if wait > 0 { Thread.sleep(forTimeInterval: wait) }
                switch event.action {
                case .inject(let fault):
                    do {
                        try fault.inject(into: layout)
                        Self.say("injected \(fault.name): \(fault.summary)")
                    } catch {
                        Self.say("could not inject \(fault.name): \(error)")
                    }
                case .repairByHand(let fault):
                    guard !fault.isHealthy(layout) else { continue }
                    fault.repairByHand(layout)
                    Self.say("the on-call engineer repaired \(fault.name) by hand")
                }
            }
            Self.say("the schedule is done; traffic goes on (opsbrain-sandbox inject NAME breaks something more)")
            SandboxCommand.sleepForever()
        }

        /// One line with the time, written at once (the demo shows this file when the console closes).
        static func say(_ text: String) {
            let formatter = DateFormatter()
            formatter.dateFormat = "HH:mm:ss"
            FileHandle.standardOutput.write(Data("\(formatter.string(from: Date())) \(text)\n".utf8))
        }
    }

    struct App: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The sandbox app: run it in the foreground, or start, stop and check it as a service manager would.")
        @OptionGroup var options: SandboxOptions
        @Argument(help: "run | start | stop | status") var action: String
        func run() throws {
            let layout = options.layout
            switch action {
            case "run":
                let app = try SandboxApp(layout: layout)
                try app.start()
                print("sandbox app listening on \(layout.appURL)")
                withExtendedLifetime(app) { SandboxCommand.sleepForever() }
            case "start": try AppControl(layout: layout).start()
            case "stop": AppControl(layout: layout).stop()
            case "status": if !AppControl(layout: layout).answers() { throw ExitCode(1) }
            default: throw ValidationError("unknown action '\(action)': use run, start, stop or status")
            }
        }
    }

    /// Keeps a serving process alive until it is killed.
    static func sleepForever() -> Never {
        while true { sleep(3600) }
    }

    /// The path of this executable (for the service target's argv).
    static func ownExecutable() throws -> String {
        let path = CommandLine.arguments[0]
        if path.contains("/") { return URL(fileURLWithPath: path).standardizedFileURL.path }
        guard let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            throw ValidationError("cannot tell where opsbrain-sandbox is installed")
        }
        return resolved
    }
}

/// The option every subcommand takes: where the sandbox lives.
struct SandboxOptions: ParsableArguments {
    @Option(help: "The sandbox folder (its ports are recorded there by 'up').") var root = SandboxLayout.defaultRoot

    var layout: SandboxLayout { SandboxLayout.load(root: root) }
}
