/// A rectangle of the screen.
public struct Rect: Sendable, Equatable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }
}

/// Where things go on a screen of a given size: status bar, tabs, the framed body, the bottom line,
/// and inside the body a list and a detail pane (stacked, side by side when wide, or one zoomed).
public struct Layout: Sendable, Equatable {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// Width from which the detail pane sits beside the list instead of under it.
    public static let sideBySideWidth = 140

    /// The inside of the frame.
    public var body: Rect { Rect(x: 1, y: 3, width: width - 2, height: height - 5) }

    /// The list (with its column header row) and the detail pane of a list view.
    public func panes(zoomed: Bool) -> (list: Rect?, detail: Rect?) {
        let body = self.body
        if zoomed { return (nil, body) }
        if width >= Self.sideBySideWidth {
            let listWidth = body.width * 55 / 100
            return (Rect(x: body.x, y: body.y, width: listWidth, height: body.height),
                    Rect(x: body.x + listWidth + 1, y: body.y, width: body.width - listWidth - 1, height: body.height))
        }
        guard body.height >= 10 else { return (body, nil) }
        let listHeight = max(4, body.height * 55 / 100)
        return (Rect(x: body.x, y: body.y, width: body.width, height: listHeight),
                Rect(x: body.x, y: body.y + listHeight + 1, width: body.width, height: body.height - listHeight - 1))
    }

    /// How many list rows fit (the column header takes one line).
    public func listRows(zoomed: Bool) -> Int {
        max(1, (panes(zoomed: zoomed).list?.height ?? body.height) - 1)
    }
}
