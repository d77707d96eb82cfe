import CNcurses
import Foundation
import OpsBrainCore

/// A real ncurses screen (`newterm`, never `initscr`, so an unknown `$TERM` falls back instead of exiting)
/// that paints cell grids with the theme's colours and reads keys without blocking.
///
/// ncurses state is process-wide: one screen at a time, used from one thread.
public final class NcursesScreen {
    private let screen: OpaquePointer
    private let output: UnsafeMutablePointer<FILE>
    private let input: UnsafeMutablePointer<FILE>
    /// The terminal type in use (after any fallback).
    public let terminalName: String
    public private(set) var colorMode: ColorMode = .monochrome
    private var styles: [ThemeRole: (attributes: attr_t, pair: Int32)] = [:]
    private var closed = false
    private var mouseEnabled = false
    /// Mouse reports read and dropped (a button the console does not use, a report with mouse reporting off):
    /// input all the same, so a burst of them is not the end of input.
    public private(set) var skippedMouseReports = 0
    private var colorsStarted = false

    /// Opens a screen on the descriptors (duplicated, so closing never closes the caller's), trying
    /// `$TERM` and then `xterm-256color`, `xterm` and `vt100`. Call `setlocale` before this.
    public init(inputDescriptor: Int32 = STDIN_FILENO, outputDescriptor: Int32 = STDOUT_FILENO, terminal: String?) throws {
        guard let output = fdopen(dup(outputDescriptor), "w"), let input = fdopen(dup(inputDescriptor), "r") else {
            throw TerminalError("cannot open the terminal's descriptors: \(String(cString: strerror(errno)))")
        }
        var candidates = [terminal, "xterm-256color", "xterm", "vt100"].compactMap { $0 }.filter { !$0.isEmpty }
        var opened: (OpaquePointer, String)?
        while opened == nil, !candidates.isEmpty {
            let name = candidates.removeFirst()
            if let screen = newterm(name, output, input) { opened = (screen, name) }
        }
        guard let (screen, name) = opened else {
            fclose(output)
            fclose(input)
            throw TerminalError("no usable terminal description for TERM=\(terminal ?? "(unset)"), nor xterm or vt100")
        }
        set_term(screen)
        guard opsbrain_can_address() != 0 else {
            endwin()
            delscreen(screen)
            fclose(output)
            fclose(input)
            throw TerminalError("TERM=\(name) cannot move the cursor, so the console cannot draw a screen: run it in a full "
                                + "terminal (TERM=xterm-256color, screen or tmux), or use `opsbrain report` and `opsbrain executions`")
        }
        self.screen = screen
        self.output = output
        self.input = input
        terminalName = name
        configure()
    }

    deinit { close() }

    private func configure() {
        raw()
        noecho()
        nonl()
        set_escdelay(50)
        let window = opsbrain_stdscr()
        keypad(window, true)
        nodelay(window, true)
        curs_set(0)
    }

    /// Picks the colour mode and allocates a colour pair per role of `theme` (again on a theme switch).
    public func apply(theme: Theme, noColor: Bool) {
        if !noColor, has_colors(), !colorsStarted {
            start_color()
            use_default_colors()
            colorsStarted = true
        } else if colorsStarted {
            reset_color_pairs()
            invalidate()
        }
        colorMode = ColorMode.detect(colors: Int(opsbrain_colors()), hasColors: has_colors(), noColor: noColor)
        styles = [:]
        for (role, style) in theme.resolved(for: colorMode) {
            let pair = colorMode == .monochrome ? 0 : alloc_pair(Int32(style.foreground), Int32(style.background))
            styles[role] = (Self.attributes(style.attributes), max(0, pair))
        }
    }

    private static func attributes(_ attributes: ThemeAttributes) -> attr_t {
        var result = opsbrain_a_normal()
        if attributes.contains(.bold) { result |= opsbrain_a_bold() }
        if attributes.contains(.dim) { result |= opsbrain_a_dim() }
        if attributes.contains(.reverse) { result |= opsbrain_a_reverse() }
        if attributes.contains(.underline) { result |= opsbrain_a_underline() }
        if attributes.contains(.italic) { result |= opsbrain_a_italic() }
        return result
    }

    /// The screen's size as ncurses knows it (updated on resize).
    public var size: (width: Int, height: Int) { (Int(opsbrain_cols()), Int(opsbrain_lines())) }

    /// Paints the grid: runs of one role are written together; ncurses sends only what changed.
    public func paint(_ grid: CellGrid) {
        let window = opsbrain_stdscr()
        let (width, height) = size
        for y in 0..<min(height, grid.height) {
            var x = 0
            while x < min(width, grid.width) {
                let role = grid[x, y].role
                let start = x
                var text: [wchar_t] = []
                while x < min(width, grid.width), grid[x, y].role == role {
                    for scalar in grid[x, y].text.unicodeScalars { text.append(wchar_t(bitPattern: scalar.value)) }
                    x += 1
                }
                let style = styles[role] ?? (opsbrain_a_normal(), 0)
                _ = opsbrain_set_style(window, style.attributes, style.pair)
                _ = text.withUnsafeBufferPointer { opsbrain_put(window, Int32(y), Int32(start), $0.baseAddress, Int32($0.count)) }
            }
        }
        _ = opsbrain_set_style(window, opsbrain_a_normal(), 0)
        wnoutrefresh(window)
        doupdate()
    }

    /// Forces a full repaint on the next `paint` (Ctrl-L).
    public func invalidate() { clearok(opsbrain_stdscr(), true) }

    /// Reads one key if one is waiting; nil when none is. Mouse reports come as `.mouse` keys (after
    /// `enableMouse`); the buttons the console does not use, and reports ncurses did not decode, are skipped.
    public func readKey() -> Key? {
        while true {
            var value: wint_t = 0
            let result = wget_wch(opsbrain_stdscr(), &value)
            if result == KEY_CODE_YES, Int32(value) == KEY_MOUSE {
                if let event = readMouse() { return .mouse(event) }
                skippedMouseReports += 1
                continue
            }
            if result == KEY_CODE_YES { return KeyDecoder.function(Int32(value)) }
            if result == OK { return KeyDecoder.character(UInt32(value)) }
            return nil
        }
    }

    /// Asks the terminal for mouse reports: button 1 presses and clicks, and the wheel. Off unless called
    /// (`--mouse`), so that the terminal's own text selection keeps working; `close` turns them off again.
    public func enableMouse() {
        mousemask(MouseDecoder.mask, nil)
        mouseEnabled = true
    }

    /// Writes a control sequence straight to the terminal's descriptor, after everything the last paint sent;
    /// ncurses neither buffers nor sees it (an OSC 52 clipboard write changes nothing on screen).
    public func emit(_ sequence: String) {
        fflush(output)
        var bytes = ArraySlice(sequence.utf8)
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(fileno(output), $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }

    /// The mouse event ncurses decoded after `KEY_MOUSE`; nil for a button the console does not use, or when
    /// mouse reporting is off (ncurses then decodes nothing, and the report's bytes are dropped).
    private func readMouse() -> MouseEvent? {
        guard mouseEnabled else {
            dropUndecodedMouseReport()
            return nil
        }
        var event = MEVENT()
        guard getmouse(&event) == OK else { return nil }
        return MouseDecoder.event(x: Int(event.x), y: Int(event.y), buttons: event.bstate)
    }

    /// Reads the rest of an undecoded mouse report, waiting up to 50 ms for each byte; a key that is not part of
    /// it goes back to be read as a key.
    private func dropUndecodedMouseReport() {
        let window = opsbrain_stdscr()
        wtimeout(window, 50)
        defer { nodelay(window, true) }
        var report = UndecodedMouseReport(sgr: opsbrain_sgr_mouse() != 0)
        while !report.complete {
            var value: wint_t = 0
            let result = wget_wch(window, &value)
            if result == KEY_CODE_YES { ungetch(Int32(value)) }
            guard result == OK, let scalar = UnicodeScalar(UInt32(value)) else { return }
            if !report.take(Character(scalar)) { unget_wch(wchar_t(bitPattern: scalar.value)) }
        }
    }

    /// Leaves curses mode and frees the screen; the terminal is back as it was.
    public func close() {
        guard !closed else { return }
        closed = true
        endwin()
        delscreen(screen)
        fclose(output)
        fclose(input)
    }

    /// The window to read back in tests.
    var window: UnsafeMutablePointer<WINDOW>? { opsbrain_stdscr() }
}
