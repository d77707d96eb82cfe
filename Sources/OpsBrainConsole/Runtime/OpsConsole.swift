import Dispatch
import Foundation
import OpsBrainCore
import OpsBrainEngine
import OpsBrainPostgres

/// The ops console: connects, listens, starts the in-process engine (unless told not to), and runs
/// the full-screen UI until the user quits, a signal arrives or the terminal goes away.
public enum OpsConsole {
    /// Runs the console; returns a line to print after the screen is restored.
    public static func run(_ configuration: ConsoleConfiguration) throws -> String {
        signal(SIGPIPE, SIG_IGN)
        setlocale(LC_ALL, "")
        let unicode = String(cString: nl_langinfo(nl_item(CODESET))).uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
        let connection = try PostgresConnection(conninfo: configuration.conninfo, applicationName: "opsbrain-console")
        defer { connection.close() }
        try connection.listen("opsbrain_events")
        try connection.listen(PresenceRepository.channel)
        let mailbox = try EventMailbox()
        let signals = SignalForwarder(signals: [SIGTERM, SIGHUP, SIGINT], mailbox: mailbox)
        defer { signals.cancel() }
        let screen = try NcursesScreen(terminal: configuration.terminal)
        var state = ConsoleState(readOnly: configuration.readOnly)
        state.status = StatusInfo(databaseUp: true, databaseText: connection.serverDescription)
        state.message = configuration.startNotice.map { ConsoleMessage($0, isError: true) }
        if let engine = configuration.localEngine {
            engine.start { failure in mailbox.post(.engineStopped(failure)) }
            state.status.localEngine = .running
        }
        screen.apply(theme: configuration.theme, noColor: configuration.noColor)
        if configuration.mouse { screen.enableMouse() }
        let session = ConsoleSession(connection: connection, configuration: configuration, mailbox: mailbox, state: state)
        let renderer = ScreenRenderer(glyphs: unicode ? .unicode : .ascii, formatting: Formatting(timeZone: configuration.timeZone))
        ConsoleLoop(screen: screen, session: session, renderer: renderer).run()
        screen.close()
        guard let engine = configuration.localEngine else { return "console closed" }
        let stopped = engine.stop(.seconds(15))
        return stopped ? "console closed; the local engine stopped" : "console closed; the local engine did not stop within 15 s"
    }
}

/// Turns SIGTERM, SIGHUP and SIGINT into events for the UI thread, so it can restore the terminal and stop the engine.
final class SignalForwarder {
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32], mailbox: EventMailbox) {
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { mailbox.post(.signal(number)) }
            source.resume()
            return source
        }
    }

    /// Stops forwarding.
    func cancel() { sources.forEach { $0.cancel() } }
}
