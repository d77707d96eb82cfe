import Foundation

/// Clipboard writes through the terminal: OSC 52 asks the terminal (over SSH too) to put text on the
/// system clipboard, if its settings allow it.
enum Clipboard {
    /// `ESC ] 52 ; c ; <base64 of text> BEL`; inside tmux wrapped in its passthrough (`ESC P tmux; … ESC \`,
    /// every ESC inside doubled), which tmux forwards to the outer terminal when `allow-passthrough` is on.
    static func osc52(copying text: String, insideTmux: Bool) -> String {
        let sequence = "\u{1b}]52;c;\(Data(text.utf8).base64EncodedString())\u{07}"
        guard insideTmux else { return sequence }
        return "\u{1b}Ptmux;" + sequence.replacingOccurrences(of: "\u{1b}", with: "\u{1b}\u{1b}") + "\u{1b}\\"
    }
}
