import Foundation
import OpsBrainConsole
import OpsBrainPostgres
import XCTest

/// The list never re-sorts under the cursor: refreshes keep the cursor on its row.
final class ListStateTests: XCTestCase {
    private func alerts(_ numbers: [Int]) -> [ConsoleAlert] {
        numbers.map { number in
            let date = ConsoleFixtures.ago(Double(1000 - number))
            return ConsoleAlert(id: ConsoleFixtures.id(number), key: ConsoleFixtures.key(date, ConsoleFixtures.id(number)), createdAt: date,
                                lastSeenAt: date, source: "t", alertType: "t", title: "alert \(number)", severity: "high",
                                status: "firing", count: 1)
        }
    }

    func testNewRowsAboveKeepTheCursorOnItsRow() {
        var list = ListState<ConsoleAlert>()
        list.replace(with: alerts([5, 4, 3, 2, 1]), visibleRows: 10)
        list.select(index: 2, visibleRows: 10)
        XCTAssertEqual(list.selected?.title, "alert 3")
        list.replace(with: alerts([8, 7, 6, 5, 4, 3, 2, 1]), visibleRows: 10)
        XCTAssertEqual(list.selected?.title, "alert 3", "the cursor follows its row, not its index")
        XCTAssertEqual(list.cursor, 5)
        XCTAssertEqual(list.marked(at: Date()), Set([8, 7, 6].map { ConsoleFixtures.id($0).uuidString.lowercased() }))
        XCTAssertEqual(list.scrollTop, 0, "at the top, new rows show above the cursor")
    }

    func testAStatusChangeIsMarkedUntilLookedAtOrTenSecondsPass() {
        var list = ListState<ConsoleAlert>()
        let start = ConsoleFixtures.now
        list.replace(with: alerts([3, 2, 1]), visibleRows: 10, now: start)
        XCTAssertEqual(list.marked(at: start), [], "nothing is marked on the first load")
        var changed = alerts([3, 2, 1])
        changed[1].status = "resolved"
        changed[2].handling.acknowledgedBy = "ana"
        list.replace(with: changed, visibleRows: 10, now: start)
        let two = ConsoleFixtures.id(2).uuidString.lowercased(), one = ConsoleFixtures.id(1).uuidString.lowercased()
        XCTAssertEqual(list.marked(at: start.addingTimeInterval(1)), [two, one], "a status change and an acknowledgement are marked")
        list.replace(with: changed, visibleRows: 10, now: start.addingTimeInterval(2))
        XCTAssertEqual(list.marked(at: start.addingTimeInterval(3)), [two, one], "a reload without changes keeps the marks")
        list.select(index: 1, visibleRows: 10)
        XCTAssertEqual(list.marked(at: start.addingTimeInterval(4)), [one], "looking at a row clears its mark")
        XCTAssertEqual(list.marked(at: start.addingTimeInterval(10.5)), [], "and the others go after 10 s")
    }

    func testScrolledListKeepsTheScreenStill() {
        var list = ListState<ConsoleAlert>()
        list.replace(with: alerts(Array((1...50).reversed())), visibleRows: 10)
        list.select(index: 30, visibleRows: 10)
        let top = list.scrollTop
        list.replace(with: alerts(Array((1...53).reversed())), visibleRows: 10)
        XCTAssertEqual(list.selected?.title, "alert 20")
        XCTAssertEqual(list.scrollTop, top + 3, "the visible rows move with the cursor row")
    }

    func testVanishedCursorRowKeepsThePosition() {
        var list = ListState<ConsoleAlert>()
        list.replace(with: alerts([5, 4, 3, 2, 1]), visibleRows: 10)
        list.select(index: 2, visibleRows: 10)
        list.replace(with: alerts([5, 4, 2, 1]), visibleRows: 10)
        XCTAssertEqual(list.cursor, 2)
        XCTAssertEqual(list.selected?.title, "alert 2")
    }

    func testTrimDropsTheFarEnd() {
        var list = ListState<ConsoleAlert>()
        list.replace(with: alerts(Array((1...30).reversed())), visibleRows: 10)
        list.select(index: 25, visibleRows: 10)
        list.trim(to: 20)
        XCTAssertEqual(list.items.count, 20)
        XCTAssertEqual(list.selected?.title, "alert 5")
        XCTAssertTrue(list.hasNewer)
    }
}
