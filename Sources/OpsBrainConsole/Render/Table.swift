import OpsBrainCore

/// A list column: its title, width and how early it is dropped when the screen is narrow.
public struct Column: Sendable {
    public var title: String
    public var width: Int
    /// 0 is never dropped; higher numbers go first.
    public var priority: Int
    /// Takes the room left over (at least `width`).
    public var flexible: Bool
    public var alignRight: Bool

    public init(_ title: String, width: Int, priority: Int = 0, flexible: Bool = false, alignRight: Bool = false) {
        self.title = title
        self.width = width
        self.priority = priority
        self.flexible = flexible
        self.alignRight = alignRight
    }
}

/// A table cell: text and role, or a role per character (sparklines).
public struct TableCell: Sendable {
    public var text: String
    public var role: ThemeRole
    public var characterRoles: [ThemeRole]?

    public init(_ text: String, _ role: ThemeRole = .body, characterRoles: [ThemeRole]? = nil) {
        self.text = text
        self.role = role
        self.characterRoles = characterRoles
    }
}

/// Draws lists: fits columns to the width (dropping the least important), a header row, and rows with
/// the cursor, fresh-row markers and only the visible rows touched.
public struct Table {
    public var columns: [Column]
    public var glyphs: Glyphs

    /// The width of each column that fits in `width` (nil for dropped ones); one column is the gutter.
    public func widths(for width: Int) -> [Int?] {
        var kept = Array(columns.indices)
        func needed() -> Int { kept.reduce(1) { $0 + columns[$1].width + 1 } }
        while needed() > width, let drop = kept.filter({ columns[$0].priority > 0 }).max(by: { columns[$0].priority < columns[$1].priority }) {
            kept.removeAll { $0 == drop }
        }
        let spare = max(0, width - needed())
        let flexible = kept.filter { columns[$0].flexible }
        var result: [Int?] = Array(repeating: nil, count: columns.count)
        for index in kept { result[index] = columns[index].width }
        for (position, index) in flexible.enumerated() {
            result[index]! += spare / max(1, flexible.count) + (position == 0 ? spare % max(1, flexible.count) : 0)
        }
        return result
    }

    /// Draws the header and the visible rows of a list into `rect`; `marked` rows get the change marker.
    public func draw<Item: ListItem>(_ list: ListState<Item>, in rect: Rect, grid: inout CellGrid, empty: String,
                                     marked: Set<String> = [], cells: (Item) -> [TableCell]) {
        guard rect.height > 0, rect.width > 0 else { return }
        let widths = self.widths(for: rect.width)
        drawRow(columns.map { TableCell($0.title, .header) }, widths: widths, x: rect.x, y: rect.y, width: rect.width,
                grid: &grid, baseRole: .header, gutter: " ")
        let rows = rect.height - 1
        if list.items.isEmpty {
            grid.write(glyphs.clean(list.loaded ? empty : "loading…"), x: rect.x + 2, y: rect.y + 1, role: .muted, limit: rect.width - 2)
            return
        }
        for offset in 0..<rows {
            let index = list.scrollTop + offset
            guard index < list.items.count else { break }
            let item = list.items[index]
            let isCursor = index == list.cursor
            let gutter = isCursor ? glyphs.cursor : (marked.contains(item.listID) ? glyphs.fresh : " ")
            let rowCells = cells(item).map { isCursor ? TableCell($0.text, .cursor) : $0 }
            drawRow(rowCells, widths: widths, x: rect.x, y: rect.y + 1 + offset, width: rect.width, grid: &grid,
                    baseRole: isCursor ? .cursor : .body, gutter: gutter, gutterRole: isCursor ? .cursor : .changed)
        }
        if list.hasOlder, rows > 0 {
            let more = glyphs.clean(" \(glyphs.arrow) more below ")
            grid.write(more, x: rect.x + rect.width - TextWidth.of(more), y: rect.y + rect.height - 1, role: .muted)
        }
    }

    private func drawRow(_ cells: [TableCell], widths: [Int?], x: Int, y: Int, width: Int, grid: inout CellGrid,
                         baseRole: ThemeRole, gutter: String, gutterRole: ThemeRole = .header) {
        grid.fill(x: x, y: y, count: width, role: baseRole)
        grid.write(gutter, x: x, y: y, role: gutterRole, limit: 1)
        var column = x + 1
        for (index, cell) in cells.enumerated() where index < columns.count {
            guard let size = widths[index] else { continue }
            let text = TextWidth.fit(glyphs.clean(cell.text), to: size, ellipsis: glyphs.ellipsis, alignRight: columns[index].alignRight)
            if let roles = cell.characterRoles, baseRole != .cursor {
                var offset = 0
                for (position, character) in text.enumerated() {
                    offset += grid.write(String(character), x: column + offset, y: y, role: position < roles.count ? roles[position] : cell.role,
                                         limit: size - offset)
                }
            } else {
                grid.write(text, x: column, y: y, role: cell.role, limit: size)
            }
            column += size + 1
        }
    }
}
