import ArgumentParser
import Foundation
import OpsBrainSandbox

/// `opsbrain-sandbox`: the demo's real local services and the faults that break them.
@main
struct SandboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opsbrain-sandbox",
        abstract: "Real local services for the demo and the healing benchmark, and a fault injector that breaks them.",
        discussion: "Two profiles. sandbox (the default): the demo's own app in /tmp/opsbrain-sandbox on fixed loopback ports "
            + "(app 18080, Redis 16379, Prometheus 19090, PostgreSQL 15432), as sandbox/opsbrain.yaml describes them. "
            + "stock (--profile stock): stock nginx, six Python shop instances, Redis, PostgreSQL, Prometheus and "
            + "Alertmanager in /tmp/opsbrain-stock, as sandbox/stock/ configures them.",
        subcommands: [Up.self, Down.self, Status.self, Env.self, Faults.self, Inject.self, Run.self, App.self, Service.self,
                      Inbox.self, HoldTransaction.self])

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start every service of the profile.")
        @OptionGroup var options: SandboxOptions
        func run() throws {
            let stack = options.stack
            try stack.up(executable: try SandboxCommand.ownExecutable())
            print("\(stack.profile.rawValue) up; the engine's config: \(stack.configFile) (opsbrain-sandbox env prints its environment)")
        }
    }

    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop every sandbox service.")
        @OptionGroup var options: SandboxOptions
        @Flag(help: "Also delete /tmp/opsbrain-sandbox.") var purge = false
        func run() throws { try options.stack.down(purge: purge) }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say which sandbox services run.")
        @OptionGroup var options: SandboxOptions
        func run() throws {
            for (service, up) in options.stack.status() { print("\(service): \(up ? "running" : "stopped")") }
        }
    }

    struct Env: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the environment the engine needs (shell export lines): the profile's secrets and tokens.")
        @OptionGroup var options: SandboxOptions
        func run() throws {
            for (name, value) in try options.stack.engineEnvironment().sorted(by: { $0.key < $1.key }) {
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
        @Option(help: "The database (default: the sandbox app's).") var databaseURL: String?
        func run() throws {
            let url = databaseURL ?? options.layout.appDatabaseURL
            let session = try FaultCatalogue.holdTransaction(application: application, databaseURL: url)
            print("holding a transaction open as '\(application)' (pid \(getpid()))")
            withExtendedLifetime(session) { SandboxCommand.sleepForever() }
        }
    }

    struct Faults: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the fault catalogue.")
        @OptionGroup var options: SandboxOptions
        func run() {
            for fault in options.stack.faults {
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
            let faults = options.stack.faults
            for name in names {
                try faults.named(name).inject()
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
            let stack = options.stack
            let chosen = try faults.map { try $0.split(separator: ",").map { try stack.faults.named(String($0)) } } ?? stack.faults
            SandboxTraffic(stack: stack, perSecond: rate).start()
            let start = Date()
            for event in FaultSchedule(faults: chosen, delay: Double(delay), every: Double(every)).events {
                let wait = event.at - Date().timeIntervalSince(start)
                if wait > 0 { Thread.sleep(forTimeInterval: wait) }
                switch event.action {
                case .inject(let fault):
                    do {
                        try fault.inject()
                        Self.say("injected \(fault.name): \(fault.summary)")
                    } catch {
                        Self.say("could not inject \(fault.name): \(error)")
                    }
                case .repairByHand(let fault):
                    guard !fault.isHealthy() else { continue }
                    fault.repairByHand()
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

    struct Service: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The stock profile's shop instances: start, stop and check one as a service manager (systemd) would.")
        @OptionGroup var options: SandboxOptions
        @Argument(help: "start | stop | status") var action: String
        @Argument(help: "The instance: shop-1 ... shop-6.") var instance: String
        func run() throws {
            let shop = try ShopControl(layout: options.stock, instance: instance)
            switch action {
            case "start": try shop.start()
            case "stop": shop.stop()
            case "status": if !shop.healthy() { throw ExitCode(1) }
            default: throw ValidationError("unknown action '\(action)': use start, stop or status")
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

/// The options every subcommand takes: which stack, and where it lives.
struct SandboxOptions: ParsableArguments {
    @Option(help: "sandbox (the demo's app) or stock (stock components).") var profile: SandboxProfile = .sandbox
    @Option(help: "The profile's folder (default /tmp/opsbrain-sandbox or /tmp/opsbrain-stock; the sandbox records its ports there).")
    var root: String?

    /// The sandbox profile's layout (for the commands only it has).
    var layout: SandboxLayout { SandboxLayout.load(root: root ?? SandboxLayout.defaultRoot) }
    var stock: StockLayout { StockLayout(root: root ?? StockLayout.defaultRoot) }
    var stack: any SandboxStack { profile.stack(root: root) }
}

extension SandboxProfile: ExpressibleByArgument {}
