import CNcurses

/// Decodes the mouse reports ncurses reads (`KEY_MOUSE`, then `getmouse`) into mouse events.
enum MouseDecoder {
    /// The events the console asks ncurses to report: button 1 pressed or clicked, and the wheel (buttons 4 and 5).
    static var mask: mmask_t { opsbrain_button1_pressed() | opsbrain_button1_clicked() | opsbrain_wheel_up() | opsbrain_wheel_down() }

    /// The event for a report at column `x`, line `y` with button state `buttons`; nil for buttons the console does not use.
    static func event(x: Int, y: Int, buttons: mmask_t) -> MouseEvent? {
        let kind: MouseEvent.Kind
        if buttons & (opsbrain_button1_pressed() | opsbrain_button1_clicked()) != 0 {
            kind = .click
        } else if buttons & opsbrain_wheel_up() != 0 {
            kind = .wheelUp
        } else if buttons & opsbrain_wheel_down() != 0 {
            kind = .wheelDown
        } else {
            return nil
        }
        return MouseEvent(x: x, y: y, kind: kind)
    }
}

/// The rest of a mouse report that ncurses recognised by its start (the terminal description's `kmous`) but did
/// not decode, because mouse reporting is off: a terminal left reporting by another program, or pasted bytes.
/// Read to its end and dropped, its digits are never taken for keys (`6` would open the dry-run view).
///
/// SGR reports (`ESC [ <`, then `0;10;6M`) end at `M` or `m`; X10 reports (`ESC [ M`, then three bytes) after three bytes.
struct UndecodedMouseReport {
    private let sgr: Bool
    private var length = 0
    /// True once the report has ended.
    private(set) var complete = false

    /// The longest report read: longer means the bytes were no report after all.
    static let maximumLength = 32

    /// A report in the SGR form if `sgr`, else in the X10 form.
    init(sgr: Bool) {
        self.sgr = sgr
    }

    /// Takes the next character if it belongs to the report; false when it does not (it is a key of its own).
    mutating func take(_ character: Character) -> Bool {
        if sgr, !"0123456789;Mm".contains(character) {
            complete = true
            return false
        }
        length += 1
        complete = (sgr ? "Mm".contains(character) : length == 3) || length >= Self.maximumLength
        return true
    }
}
