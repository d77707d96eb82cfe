import Foundation
import OpsBrainCore
import OpsBrainPostgres

/// The UI thread: sleeps in `poll()` on the keyboard, the wake-up pipe and the LISTEN socket, and
/// wakes only for a key, an event, what the reader read, a notification, or the status bar's
/// five-second tick. It never waits on a query: those run on the session's reader.
final class ConsoleLoop {
    private let screen: NcursesScreen
    private let session: ConsoleSession
    private let controller = ConsoleController()
    private var renderer: ScreenRenderer
    private var quitting = false
    private var pendingViews: Set<ViewID> = []
    private var statusPending = false
    private var lastReload = Date.distantPast
    private var lastTick = Date()
    /// Wake-ups where stdin was readable but gave no key: stdin is at end of file (a dropped session).
    private var emptyReads = 0
    /// Control sequences for the terminal itself (clipboard writes), sent after the next paint.
    private var afterPaint: [String] = []

    /// The quickest a view reloads again after notifications, so a storm costs one reload per interval.
    static let reloadInterval: TimeInterval = 0.25
    static let tickInterval: TimeInterval = 5
    static let emptyReadLimit = 50

    init(screen: NcursesScreen, session: ConsoleSession, renderer: ScreenRenderer) {
        self.screen = screen
        self.session = session
        self.renderer = renderer
    }

    /// Runs until `q`, a signal, or the terminal going away.
    func run() {
        syncSize()
        session.reload(session.state.view)
        paint()
        while !quitting { step() }
        session.leavePresence()
    }

    private func step() {
        var descriptors = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: session.mailbox.readDescriptor, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: session.connection.socketDescriptor, events: Int16(POLLIN), revents: 0)]
        let ready = poll(&descriptors, nfds_t(descriptors.count), timeoutMillis())
        if ready < 0, errno != EINTR { quitting = true; return }
        let input = ready > 0 ? Int32(descriptors[0].revents) : 0
        if input & Int32(POLLHUP | POLLERR | POLLNVAL) != 0 { quitting = true; return }
        let keys = readKeys()
        if input & Int32(POLLIN) != 0, keys == 0 {
            emptyReads += 1
            if emptyReads >= Self.emptyReadLimit { quitting = true; return }
        } else if keys > 0 {
            emptyReads = 0
        }
        if ready > 0, descriptors[1].revents != 0 { handleEvents() }
        readNotifications()
        runPendingReloads()
        tickIfDue()
        session.beatPresence()
        for effect in controller.runbookEffects(&session.state) { apply(effect) }
        if !quitting { paint() }
    }

    private func timeoutMillis() -> Int32 {
        let now = Date()
        var wait = Self.tickInterval - now.timeIntervalSince(lastTick)
        if !pendingViews.isEmpty || statusPending { wait = min(wait, Self.reloadInterval - now.timeIntervalSince(lastReload)) }
        return Int32(max(0, min(wait, Self.tickInterval)) * 1000)
    }

    /// Reads the keys waiting, decodes the escape sequences among them, and handles each; returns how much was
    /// read (keys and skipped mouse reports), 0 at the end of input.
    private func readKeys() -> Int {
        var burst: [Key] = []
        let skipped = screen.skippedMouseReports
        while let key = screen.readKey() { burst.append(key) }
        for key in EscapeSequenceDecoder.decode(burst) where !quitting {
            if key == .resize { syncSize() }
            for effect in controller.handle(key, state: &session.state) { apply(effect) }
        }
        return burst.count + screen.skippedMouseReports - skipped
    }

    private func apply(_ effect: ConsoleEffect) {
        switch effect {
        case .quit: quitting = true
        case .redraw: screen.invalidate()
        case .copyToClipboard(let text): afterPaint.append(Clipboard.osc52(copying: text, insideTmux: session.configuration.insideTmux))
        case .setTheme(let name):
            do {
                let theme = try session.configuration.themes.load(name)
                screen.apply(theme: theme, noColor: session.configuration.noColor)
                session.state.message = ConsoleMessage("theme \(theme.name) (\(screen.colorMode.rawValue) colours)")
            } catch {
                session.state.message = ConsoleMessage("\(error)", isError: true)
            }
        default: session.perform(effect)
        }
    }

    /// Handles what other threads posted: events, then what the reader read.
    private func handleEvents() {
        for event in session.mailbox.drain() {
            if case .signal = event { quitting = true }
            session.handle(event)
        }
        session.applyUpdates()
    }

    private func readNotifications() {
        do {
            switch try session.connection.waitForNotifications(timeout: .zero) {
            case .notifications(let notes):
                let (presence, data) = session.presenceChanged(in: notes)
                if presence { session.beatPresence(force: true) }
                guard !data.isEmpty else { return }
                pendingViews.formUnion(session.notified(data))
                statusPending = true
            case .reconnected: session.reloadAfterReconnect()
            case .timedOut: break
            }
        } catch {
            session.state.status.databaseUp = false
            session.state.status.databaseText = "\(error)"
        }
    }

    private func runPendingReloads() {
        guard !pendingViews.isEmpty || statusPending, Date().timeIntervalSince(lastReload) >= Self.reloadInterval else { return }
        lastReload = Date()
        let views = pendingViews
        pendingViews = []
        statusPending = false
        for view in views where view == session.state.view { session.reload(view) }
        if views.isEmpty { session.refreshStatus() }
    }

    private func tickIfDue() {
        guard Date().timeIntervalSince(lastTick) >= Self.tickInterval else { return }
        lastTick = Date()
        if session.state.status.databaseUp {
            session.refreshStatus()
            session.beatPresence(force: true)
        } else {
            session.reconnectListener()
        }
    }

    private func syncSize() {
        let (width, height) = screen.size
        session.state.width = width
        session.state.height = height
    }

    private func paint() {
        session.state.now = Date()
        screen.paint(renderer.render(session.state))
        afterPaint.forEach(screen.emit)
        afterPaint = []
    }
}
