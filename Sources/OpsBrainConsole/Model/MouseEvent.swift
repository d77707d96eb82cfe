/// A mouse report from the terminal (with `--mouse`): where, in screen cells counted from 0, and what happened.
public struct MouseEvent: Hashable, Sendable {
    /// What the mouse did.
    public enum Kind: Hashable, Sendable {
        /// Button 1 pressed or clicked.
        case click
        case wheelUp
        case wheelDown
    }

    /// The column.
    public var x: Int
    /// The line.
    public var y: Int
    public var kind: Kind

    public init(x: Int, y: Int, kind: Kind) {
        self.x = x
        self.y = y
        self.kind = kind
    }
}
