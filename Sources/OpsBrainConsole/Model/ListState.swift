import Foundation

/// A row of a console list: a stable identity, so the cursor stays on its row when the list changes.
public protocol ListItem: Sendable {
    var listID: String { get }
    /// What a person notices changing on the row (a status, a count): a row whose token changes is marked.
    var changeToken: String { get }
}

/// A loaded window of a newest-first list, the cursor (held by row identity) and the scroll position.
///
/// Refreshes replace the rows but never move the cursor to another row: new rows above it push it
/// down with its row, and the scroll offset moves with it so the screen does not jump.
public struct ListState<Item: ListItem>: Sendable {
    public private(set) var items: [Item] = []
    public private(set) var cursor = 0
    public private(set) var cursorID: String?
    public var scrollTop = 0
    /// More rows exist below the window (older).
    public var hasOlder = false
    /// More rows exist above the window (newer): the window is not at the head of the list.
    public var hasNewer = false
    /// When each row arrived or changed (its status, say), for the marker that lasts until the row
    /// is looked at or `markerLifetime` passes.
    public private(set) var changedAt: [String: Date] = [:]
    /// How long a change marker lasts.
    public static var markerLifetime: TimeInterval { 10 }
    /// True once the first load has finished.
    public private(set) var loaded = false

    public init() {}

    /// The row under the cursor.
    public var selected: Item? { items.indices.contains(cursor) ? items[cursor] : nil }

    /// Replaces the rows (a reload); rows new or changed since the last load are marked, unless this is
    /// the first load. At the top of the list the screen stays put, so new rows show up above the cursor's row.
    public mutating func replace(with newItems: [Item], visibleRows: Int, now: Date = Date()) {
        if loaded {
            let tokens = Dictionary(items.map { ($0.listID, $0.changeToken) }, uniquingKeysWith: { first, _ in first })
            for item in newItems where tokens[item.listID] != item.changeToken { changedAt[item.listID] = now }
        }
        changedAt = changedAt.filter { now.timeIntervalSince($0.value) < Self.markerLifetime }
        let oldCursor = cursor
        items = newItems
        loaded = true
        if let cursorID, let index = items.firstIndex(where: { $0.listID == cursorID }) {
            cursor = index
            if !(scrollTop == 0 && index < visibleRows) { scrollTop = max(0, scrollTop + index - oldCursor) }
        } else {
            cursor = min(oldCursor, max(0, items.count - 1))
            cursorID = selected?.listID
        }
        keepVisible(visibleRows)
    }

    /// Adds older rows below the window.
    public mutating func append(older: [Item]) {
        let known = Set(items.map(\.listID))
        items += older.filter { !known.contains($0.listID) }
    }

    /// Adds newer rows above the window; the cursor stays on its row.
    public mutating func prepend(newer: [Item]) {
        let known = Set(items.map(\.listID))
        let added = newer.filter { !known.contains($0.listID) }
        items = added + items
        cursor += added.count
        scrollTop += added.count
    }

    /// Drops rows beyond `limit` from the end far from the cursor, so memory stays bounded.
    public mutating func trim(to limit: Int) {
        guard items.count > limit else { return }
        let excess = items.count - limit
        if cursor >= items.count / 2 {
            items.removeFirst(excess)
            cursor -= excess
            scrollTop = max(0, scrollTop - excess)
            hasNewer = true
        } else {
            items.removeLast(excess)
            hasOlder = true
        }
    }

    /// Moves the cursor by `delta` rows (clamped) and keeps it visible in `visibleRows`.
    public mutating func move(by delta: Int, visibleRows: Int) {
        select(index: cursor + delta, visibleRows: visibleRows)
    }

    /// Puts the cursor on row `index` (clamped) and keeps it visible.
    public mutating func select(index: Int, visibleRows: Int) {
        guard !items.isEmpty else { cursor = 0; cursorID = nil; scrollTop = 0; return }
        cursor = min(max(0, index), items.count - 1)
        cursorID = items[cursor].listID
        changedAt[items[cursor].listID] = nil
        keepVisible(visibleRows)
    }

    /// The rows marked as new or changed at `now` (the cursor's row has been looked at).
    public func marked(at now: Date) -> Set<String> {
        Set(changedAt.filter { $0.key != cursorID && now.timeIntervalSince($0.value) < Self.markerLifetime }.keys)
    }

    /// Adjusts the scroll offset so that the cursor row is on screen.
    public mutating func keepVisible(_ visibleRows: Int) {
        let rows = max(1, visibleRows)
        if cursor < scrollTop { scrollTop = cursor }
        if cursor >= scrollTop + rows { scrollTop = cursor - rows + 1 }
        scrollTop = min(max(0, scrollTop), max(0, items.count - rows))
        if cursor < scrollTop { scrollTop = cursor }
    }

    /// Forgets the rows (a new filter): the next load starts at the head.
    public mutating func reset() {
        self = ListState()
    }
}

extension ListState {
    /// Takes the rows of `read` (the same list, read on another thread) as a reload: the cursor
    /// stays where the user has put it meanwhile.
    public mutating func refresh(from read: ListState, visibleRows: Int) {
        replace(with: read.items, visibleRows: visibleRows)
        hasOlder = read.hasOlder
        hasNewer = read.hasNewer
    }
}

extension ListState {
    /// Takes a page read into `read` (the same list, paged on another thread).
    mutating func take(_ step: PageStep, from read: ListState, limit: Int) {
        switch step {
        case .older:
            append(older: read.items)
            hasOlder = read.hasOlder
            trim(to: limit)
        case .newer:
            prepend(newer: read.items)
            hasNewer = read.hasNewer
            trim(to: limit)
        case .head, .tail:
            self = read
        }
    }
}
