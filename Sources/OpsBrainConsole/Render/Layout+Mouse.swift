extension Rect {
    /// True when the cell at column `x`, line `y` is inside.
    func contains(x: Int, y: Int) -> Bool {
        x >= self.x && x < self.x + width && y >= self.y && y < self.y + height
    }
}

extension Layout {
    /// The list row at column `x`, line `y`, counted from the first row on screen; nil outside the list's rows
    /// (its column header included).
    func listRow(x: Int, y: Int, zoomed: Bool) -> Int? {
        guard let list = panes(zoomed: zoomed).list, list.contains(x: x, y: y), y > list.y else { return nil }
        return y - list.y - 1
    }

    /// True when column `x`, line `y` is in the detail pane.
    func detailContains(x: Int, y: Int, zoomed: Bool) -> Bool {
        panes(zoomed: zoomed).detail?.contains(x: x, y: y) ?? false
    }
}
