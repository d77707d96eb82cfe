import Foundation
import OpsBrainCore
import XCTest

/// A probe run judged: verdicts through the SOP step rules, samples, evidence and alerts.
final class ProbeObservationTests: XCTestCase {
    private let at = Date(timeIntervalSince1970: 1_800_000_000)

    private func probe(_ type: StepType, expect: [String: Expectation], nagios: Bool = false,
                       samples: [String: [String: String]]? = nil) -> ProbeDefinition {
        ProbeDefinition(name: "p1", check: StepSpec(id: "check", name: "check", type: type, expect: expect), nagios: nagios,
                        alert: ProbeAlert(type: "disk_filling", title: "Disk filling", labels: ["team": "ops"]), samples: samples)
    }

    func testNagiosValuesAreJudgedAndStored() {
        let definition = probe(.command, expect: ProbeDefinition.defaultExpectations(for: .command)!, nagios: true)
        let result = StepResult(values: ["exit_code": .number(2), "stdout": .string("DISK CRITICAL - 95% | /=95%;80;90;0;100 inodes=1200;;;0"),
                                         "stderr": .string("")])
        let observation = ProbeObservation(definition: definition, result: result, at: at)
        XCTAssertEqual(observation.verdict, .failed)
        XCTAssertEqual(observation.values["state"], .string("CRITICAL"))
        XCTAssertEqual(observation.values["summary"], .string("DISK CRITICAL - 95%"))
        XCTAssertEqual(observation.values["/"], .number(95))
        let samples = observation.samples(for: definition)
        XCTAssertEqual(samples.map(\.probe), ["p1./", "p1.exit_code", "p1.inodes"])
        XCTAssertEqual(samples[0].labels, ["probe": "p1", "value": "/", "unit": "percent", "threshold": "80,90"])
        XCTAssertEqual(samples[0].value, 95)
        XCTAssertEqual(samples[0].at, at)
        XCTAssertFalse(samples[0].ok)
    }

    func testNagiosExpectationsCanReadTheState() {
        let definition = probe(.command, expect: ["state": Expectation([.oneOf([.string("OK"), .string("WARNING")])])], nagios: true)
        let warning = StepResult(values: ["exit_code": .number(1), "stdout": .string("LOAD WARNING")])
        XCTAssertTrue(ProbeObservation(definition: definition, result: warning, at: at).passed)
        let critical = StepResult(values: ["exit_code": .number(2), "stdout": .string("LOAD CRITICAL")])
        XCTAssertFalse(ProbeObservation(definition: definition, result: critical, at: at).passed)
    }

    func testPerfdataNeverReplacesTheCommandValues() {
        let definition = probe(.command, expect: [:], nagios: true)
        let result = StepResult(values: ["exit_code": .number(0), "stdout": .string("OK | exit_code=7 state=1")])
        let observation = ProbeObservation(definition: definition, result: result, at: at)
        XCTAssertEqual(observation.values["exit_code"], .number(0))
        XCTAssertEqual(observation.values["perf_exit_code"], .number(7))
        XCTAssertEqual(observation.values["state"], .string("OK"))
    }

    func testDiskUsageIsAUsageSeriesForPredictions() {
        let definition = probe(.diskUsage, expect: ["used_percent": Expectation([.lt(90)])])
        let result = StepResult(values: ["used_percent": .number(72.5), "free_bytes": .number(1e9), "total_bytes": .number(4e9)])
        let observation = ProbeObservation(definition: definition, result: result, at: at)
        XCTAssertTrue(observation.passed)
        let used = observation.samples(for: definition).first { $0.probe == "p1.used_percent" }
        XCTAssertEqual(used?.labels, ["probe": "p1", "value": "used_percent", "kind": "usage", "unit": "percent", "name": "p1"])
        XCTAssertEqual(used?.ok, true)
    }

    func testASamplesListStoresOnlyThoseValuesWithItsLabels() {
        let definition = probe(.sql, expect: ["spend": Expectation([.lt(100)])], samples: ["spend": ["kind": "cost", "currency": "USD"]])
        let result = StepResult(values: ["spend": .number(42), "rows": .number(1), "note": .string("x")])
        let samples = ProbeObservation(definition: definition, result: result, at: at).samples(for: definition)
        XCTAssertEqual(samples.map(\.probe), ["p1.spend"])
        XCTAssertEqual(samples[0].labels["kind"], "cost")
        XCTAssertEqual(samples[0].labels["currency"], "USD")
    }

    func testACheckThatCouldNotRunFailsWithItsError() {
        let definition = probe(.sql, expect: ["rate": Expectation([.gte(85)])])
        let observation = ProbeObservation(definition: definition, result: .failure("target 'db' unreachable"), at: at)
        XCTAssertEqual(observation.verdict, .error)
        XCTAssertFalse(observation.passed)
        XCTAssertTrue(observation.samples(for: definition).isEmpty)
        XCTAssertEqual(observation.evidence(consecutiveFailures: 3)["error"], .string("target 'db' unreachable"))
    }

    func testAlertsCarryTheProbeLabelFingerprintAndEvidence() {
        let definition = probe(.sql, expect: ["rate": Expectation([.gte(85)])])
        let observation = ProbeObservation(definition: definition, result: StepResult(values: ["rate": .number(70)]), at: at)
        let firing = observation.alert(.raise, definition: definition, consecutiveFailures: 3)
        XCTAssertEqual(firing.source, "probe")
        XCTAssertEqual(firing.fingerprint, "probe:p1")
        XCTAssertEqual(firing.state, .firing)
        XCTAssertEqual(firing.labels, ["team": "ops", "probe": "p1"])
        XCTAssertEqual(firing.alertType, "disk_filling")
        XCTAssertEqual(firing.severity, .high)
        XCTAssertEqual(firing.evidence["values"], .object(["rate": .number(70)]))
        XCTAssertEqual(firing.evidence["consecutive_failures"], .number(3))
        XCTAssertEqual(observation.alert(.resolve, definition: definition, consecutiveFailures: 0).state, .resolved)
    }

    func testFingerprintsRoundTrip() {
        XCTAssertEqual(ProbeDefinition.name(fromFingerprint: ProbeDefinition.fingerprint(of: "web-health")), "web-health")
        XCTAssertNil(ProbeDefinition.name(fromFingerprint: "abc123"))
    }
}
