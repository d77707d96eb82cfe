import OpsBrainCore

/// One screen cell: a character (empty for the right half of a wide one) and its semantic role.
public struct Cell: Sendable, Equatable {
    public var text: String
    public var role: ThemeRole

    public init(text: String, role: ThemeRole) {
        self.text = text
        self.role = role
    }
}

/// The whole screen as text and roles; the renderer fills it, the painter and the tests read it.
public struct CellGrid: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    /// A blank screen in `role`.
    public init(width: Int, height: Int, role: ThemeRole = .body) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(text: " ", role: role), count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell { cells[y * width + x] }

    /// Paints `count` blank cells in `role` from (x, y).
    public mutating func fill(x: Int, y: Int, count: Int, role: ThemeRole, with character: String = " ") {
        guard y >= 0, y < height else { return }
        for column in max(0, x)..<min(width, x + count) where column >= 0 { put(character, size: 1, x: column, y: y, role: role) }
    }

    /// Writes `text` (already cleaned) from (x, y) in `role`, cut at `limit` columns or the edge; returns the columns used.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, role: ThemeRole, limit: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let end = min(width, x + (limit ?? width))
        var column = x
        for character in text {
            let size = TextWidth.of(character)
            if size == 0 { continue }
            if column + size > end {
                if column < end { fill(x: column, y: y, count: end - column, role: role) }
                column = end
                break
            }
            if column >= 0 { put(String(character), size: size, x: column, y: y, role: role) }
            column += size
        }
        return column - x
    }

    /// Sets the role of existing cells without changing their text.
    public mutating func recolor(x: Int, y: Int, count: Int, role: ThemeRole) {
        guard y >= 0, y < height else { return }
        for column in max(0, x)..<min(width, x + count) { cells[y * width + column].role = role }
    }

    private mutating func put(_ text: String, size: Int, x: Int, y: Int, role: ThemeRole) {
        let row = y * width
        // Overwriting half of a wide character blanks its other half.
        if cells[row + x].text.isEmpty, x > 0 { cells[row + x - 1].text = " " }
        if x + size < width, cells[row + x + size].text.isEmpty { cells[row + x + size].text = " " }
        cells[row + x] = Cell(text: text, role: role)
        if size == 2 { cells[row + x + 1] = Cell(text: "", role: role) }
    }

    /// Row `y` as text (wide characters once, their right halves skipped), trailing spaces removed.
    public func line(_ y: Int) -> String {
        var text = ""
        for x in 0..<width { text += self[x, y].text }
        while text.hasSuffix(" ") { text.removeLast() }
        return text
    }

    /// The screen as text, one line per row.
    public var text: String { (0..<height).map(line).joined(separator: "\n") }

    /// The roles as runs per row, like `0: statusBar×80` or `3: cursor×2 severity.high×4 cursor×74`.
    public var roleRuns: String {
        (0..<height).map { y -> String in
            var runs: [(ThemeRole, Int)] = []
            for x in 0..<width {
                let role = self[x, y].role
                if let last = runs.last, last.0 == role { runs[runs.count - 1].1 += 1 } else { runs.append((role, 1)) }
            }
            return "\(y): " + runs.map { "\($0.0.rawValue)×\($0.1)" }.joined(separator: " ")
        }.joined(separator: "\n")
    }
}
