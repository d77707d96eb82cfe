import OpsBrainCore
import XCTest

/// The input of alert actions: snooze and silence durations, resolve reasons, and which Alertmanager a silence goes to.
final class AlertActionInputTests: XCTestCase {
    func testDurationsAreAWholeNumberAndAUnit() throws {
        XCTAssertEqual(try AlertAction.duration("30s"), .seconds(30))
        XCTAssertEqual(try AlertAction.duration("15m"), .seconds(900))
        XCTAssertEqual(try AlertAction.duration("2h"), .seconds(7200))
        XCTAssertEqual(try AlertAction.duration(" 1d "), .seconds(86_400))
        XCTAssertEqual(try AlertAction.duration("30d"), .seconds(30 * 86_400))
    }

    func testBadDurationsNameWhatWasGiven() {
        for text in ["", "30", "m", "1.5h", "-5m", "5 m", "2w", "10ms", "99999999999999h"] {
            XCTAssertThrowsError(try AlertAction.duration(text), text) { error in
                XCTAssertTrue("\(error)".contains("'\(text)' is not a duration"), "\(error)")
            }
        }
        for text in ["0s", "31d"] {
            XCTAssertThrowsError(try AlertAction.duration(text), text) { error in
                XCTAssertEqual("\(error)", "'\(text)' is out of range: from 1s up to 30d")
            }
        }
    }

    func testAReasonIsRequired() throws {
        XCTAssertEqual(try AlertAction.reason("  disk replaced \n"), "disk replaced")
        XCTAssertThrowsError(try AlertAction.reason(" \n")) { error in
            XCTAssertEqual("\(error)", "a reason is required to resolve an alert by hand")
        }
    }

    private func alertmanager(_ name: String, _ url: String) -> (String, TargetDefinition) {
        (name, TargetDefinition(name: name, kind: .alertmanager, fields: ["url": .string(url)]))
    }

    func testTheOnlyAlertmanagerIsTheOne() throws {
        let targets = Dictionary(uniqueKeysWithValues: [alertmanager("am", "http://am:9093"),
                                                        ("api", TargetDefinition(name: "api", kind: .http, fields: [:]))])
        XCTAssertEqual(try AlertmanagerChoice.pick(source: "alertmanager", evidence: .object([:]), targets: targets).name, "am")
    }

    func testSeveralArePickedByTheSendersExternalURL() throws {
        let targets = Dictionary(uniqueKeysWithValues: [alertmanager("am-eu", "http://am-eu:9093/"),
                                                        alertmanager("am-us", "http://AM-US:9093")])
        let evidence: JSONValue = .object(["externalURL": .string("http://am-us:9093/")])
        XCTAssertEqual(try AlertmanagerChoice.pick(source: "alertmanager", evidence: evidence, targets: targets).name, "am-us")
        XCTAssertEqual(try AlertmanagerChoice.pick(source: "alertmanager", evidence: .object([:]), targets: targets,
                                                   named: "am-eu").name, "am-eu")
        XCTAssertThrowsError(try AlertmanagerChoice.pick(source: "alertmanager", evidence: .object([:]), targets: targets)) { error in
            XCTAssertEqual("\(error)", "2 Alertmanagers are configured and the alert does not say which one sent it"
                           + " (no externalURL in its evidence): choose one of am-eu, am-us")
        }
        let elsewhere: JSONValue = .object(["externalURL": .string("http://am-ap:9093")])
        XCTAssertThrowsError(try AlertmanagerChoice.pick(source: "alertmanager", evidence: elsewhere, targets: targets)) { error in
            XCTAssertEqual("\(error)", "the alert came from the Alertmanager at http://am-ap:9093, which is none of the"
                           + " configured ones: choose one of am-eu, am-us")
        }
        XCTAssertThrowsError(try AlertmanagerChoice.pick(source: "alertmanager", evidence: .object([:]), targets: targets,
                                                         named: "am")) { error in
            XCTAssertEqual("\(error)", "no Alertmanager named 'am' is configured: choose one of am-eu, am-us")
        }
    }

    func testInstancesOfAnAlertmanagerTargetAreChoicesOfTheirOwn() throws {
        let fleet = TargetDefinition(name: "am", kind: .alertmanager, fields: ["url": .string("http://am-1:9093")],
                                     instances: TargetInstances(selectBy: "region", members: [
                                        "eu": [:], "us": ["url": .string("http://am-2:9093")]]))
        let evidence: JSONValue = .object(["externalURL": .string("http://am-2:9093")])
        let chosen = try AlertmanagerChoice.pick(source: "alertmanager", evidence: evidence, targets: ["am": fleet])
        XCTAssertEqual(chosen.name, "am[us]")
        XCTAssertEqual(chosen.target.string("url"), "http://am-2:9093")
    }

    func testOnlyAlertmanagerAlertsAndOnlyWithOneConfigured() {
        XCTAssertThrowsError(try AlertmanagerChoice.pick(source: "cli", evidence: .object([:]),
                                                         targets: Dictionary(uniqueKeysWithValues: [alertmanager("am", "http://am")]))) { error in
            XCTAssertEqual("\(error)", "only alerts from Alertmanager can be silenced at their source; this one came from 'cli'"
                           + " (snooze it instead)")
        }
        XCTAssertThrowsError(try AlertmanagerChoice.pick(source: "alertmanager", evidence: .object([:]), targets: [:])) { error in
            XCTAssertTrue("\(error)".hasPrefix("no Alertmanager is configured"), "\(error)")
        }
    }
}
