import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainDocuments
import OpsBrainSandbox
import XCTest

/// The sandbox's fault catalogue against its deployment config and the shipped SOPs: every fault is
/// raised by a probe of sandbox/opsbrain.yaml and that alert matches the runbook the fault expects.
final class FaultCatalogueTests: XCTestCase {
    static let repository = #filePath.components(separatedBy: "/Tests/")[0]

    private func sandboxConfig() throws -> OpsBrainConfig {
        let text = try String(contentsOfFile: Self.repository + "/sandbox/opsbrain.yaml", encoding: .utf8)
        return try ConfigParser.parse(text, path: "sandbox/opsbrain.yaml")
    }

    func testEveryShippedSOPLintsCleanAgainstTheSandboxConfig() throws {
        let (sources, problems) = SOPFiles.collect([Self.repository + "/SOPs"])
        XCTAssertEqual(problems, [])
        let report = SOPLinter.lint(sources, config: try sandboxConfig())
        XCTAssertEqual(report.issues.map(\.description), [])
        XCTAssertEqual(report.documents.count, sources.count)
    }

    func testEachFaultRaisesAProbeAlertThatMatchesItsSOP() throws {
        let config = try sandboxConfig()
        let (sources, _) = SOPFiles.collect([Self.repository + "/SOPs"])
        let matcher = Matcher(sops: SOPLinter.lint(sources, config: config).documents.map(\.definition))
        let catalogue = FaultCatalogue.all(SandboxLayout())
        XCTAssertEqual(Set(catalogue.map(\.name)).count, catalogue.count, "fault names must be unique")
        for fault in catalogue {
            guard let probe = config.probes.first(where: { $0.alert.type == fault.alertType }) else {
                XCTFail("no probe in sandbox/opsbrain.yaml raises \(fault.alertType) for \(fault.name)")
                continue
            }
            let alert = AlertSnapshot(source: "probe", alertType: probe.alert.type, title: probe.alert.title, severity: probe.alert.severity,
                                      labels: probe.alert.labels.merging(["probe": probe.name]) { $1 })
            XCTAssertEqual(matcher.bestMatch(for: alert)?.sopName, fault.expectedSOP, "\(fault.name): \(probe.name)'s alert")
        }
    }

    func testBothOutcomesAreInTheCatalogue() {
        for catalogue in [FaultCatalogue.all(SandboxLayout()), StockFaults.all(StockLayout())] {
            XCTAssertTrue(catalogue.contains { $0.expected == .fix })
            XCTAssertTrue(catalogue.contains { $0.expected == .escalate }, "the bench needs faults a human must handle")
            XCTAssertThrowsError(try catalogue.named("no-such-fault")) { error in
                XCTAssertTrue("\(error)".contains("temp-flood"), "the error lists the catalogue: \(error)")
            }
        }
    }
}

/// The stock profile's catalogue against its own config, its Prometheus rules and the shipped SOPs
/// unedited: every SOP it needs is set up, and every fault's alert, as its rule or probe words it,
/// matches the expected SOP by type and by title (the match confidence a restart needs).
final class StockCatalogueTests: XCTestCase {
    private let stock = FaultCatalogueTests.repository + "/sandbox/stock"

    private func stockConfig() throws -> OpsBrainConfig {
        try ConfigParser.parse(try String(contentsOfFile: stock + "/opsbrain.yaml", encoding: .utf8), path: "sandbox/stock/opsbrain.yaml")
    }

    /// Each rule's alert as Alertmanager would deliver it for `instance`: its name, its summary with the labels filled in.
    private func ruleAlerts(instance: String) throws -> [String: AlertSnapshot] {
        let rules = try String(contentsOfFile: stock + "/rules.yml", encoding: .utf8)
        var alerts: [String: AlertSnapshot] = [:]
        for block in rules.components(separatedBy: "- alert: ").dropFirst() {
            let name = String(block.prefix { !$0.isNewline })
            let summary = block.components(separatedBy: "summary: \"").dropFirst().first?.prefix { $0 != "\"" } ?? ""
            let title = summary.replacingOccurrences(of: "{{ $labels.instance }}", with: instance)
            alerts[name] = AlertSnapshot(source: "alertmanager", alertType: name, title: title, severity: .critical,
                                         labels: ["alertname": name, "instance": instance, "job": "shop", "severity": "critical"])
        }
        return alerts
    }

    func testTheConfigSetsUpEverySOPTheFaultsNeedWithoutEditingThem() throws {
        let config = try stockConfig()
        let (sources, _) = SOPFiles.collect([FaultCatalogueTests.repository + "/SOPs"])
        let report = SOPLinter.lint(sources, config: config)
        XCTAssertEqual(report.issues.filter { $0.level == .error }.map(\.description), [])
        let needed = Set(StockFaults.all(StockLayout()).map(\.expectedSOP))
        for document in report.documents where needed.contains(document.definition.name) {
            XCTAssertEqual(document.definition.missingTargets(in: config.targets), [], "\(document.definition.name) is set up")
        }
    }

    func testEachFaultsAlertMatchesItsSOPByTypeAndTitle() throws {
        let config = try stockConfig()
        let (sources, _) = SOPFiles.collect([FaultCatalogueTests.repository + "/SOPs"])
        let matcher = Matcher(sops: SOPLinter.lint(sources, config: config).documents.map(\.definition))
        let rules = try ruleAlerts(instance: "shop-3")
        for fault in StockFaults.all(StockLayout()) {
            let probe = config.probes.first { $0.alert.type == fault.alertType }
            guard let alert = rules[fault.alertType] ?? probe.map({ probe in
                AlertSnapshot(source: "probe", alertType: probe.alert.type, title: probe.alert.title, severity: probe.alert.severity,
                              labels: probe.alert.labels.merging(["probe": probe.name]) { $1 })
            }) else {
                XCTFail("neither rules.yml nor a probe raises \(fault.alertType) for \(fault.name)")
                continue
            }
            let match = matcher.bestMatch(for: alert)
            XCTAssertEqual(match?.sopName, fault.expectedSOP, "\(fault.name): '\(alert.title)'")
            XCTAssertGreaterThanOrEqual(match?.score ?? 0, 80, "\(fault.name): '\(alert.title)' matches by title too: \(match?.reasons ?? [])")
        }
    }
}
