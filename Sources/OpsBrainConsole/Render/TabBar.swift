/// The tab bar on the screen's second line: each view's label and where it starts, so that the renderer
/// draws it and a mouse click finds the tab under the pointer from the same arithmetic.
struct TabBar {
    /// The screen line the tabs are on.
    static let row = 1

    /// Each tab: its view, its label and its first column.
    let tabs: [(view: ViewID, label: String, x: Int)]

    /// The tabs for `state`'s width: full titles, else four letters, else numbers with only the current view named.
    init(_ state: ConsoleState) {
        let waiting = state.status.counts.pendingApprovals
        let styles: [(ViewID) -> String] = [
            { " \($0.number) \($0.title)\($0 == .approvals && waiting > 0 ? " (\(waiting))" : "") " },
            { " \($0.number) \($0.title.prefix(4))\($0 == .approvals && waiting > 0 ? "(\(waiting))" : "") " },
            { $0 == state.view ? " \($0.number) \($0.title) " : " \($0.number) " },
        ]
        let labels = styles.lazy.map { style in ViewID.allCases.map { ($0, style($0)) } }
            .first { $0.reduce(1) { $0 + TextWidth.of($1.1) + 1 } <= state.width } ?? ViewID.allCases.map { ($0, styles[2]($0)) }
        var x = 1
        var tabs: [(view: ViewID, label: String, x: Int)] = []
        for (view, label) in labels {
            tabs.append((view, label, x))
            x += TextWidth.of(label) + 1
        }
        self.tabs = tabs
    }

    /// The view whose tab covers column `x`, if any (not the gaps between tabs).
    func view(atColumn x: Int) -> ViewID? {
        tabs.first { x >= $0.x && x < $0.x + TextWidth.of($0.label) }?.view
    }
}
