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
        XCTAssertEqual(Set(FaultCatalogue.all.map(\.name)).count, FaultCatalogue.all.count, "fault names must be unique")
        for fault in FaultCatalogue.all {
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
        XCTAssertTrue(FaultCatalogue.all.contains { $0.expected == .fix })
        XCTAssertTrue(FaultCatalogue.all.contains { $0.expected == .escalate }, "the bench needs faults a human must handle")
        XCTAssertThrowsError(try FaultCatalogue.named("no-such-fault")) { error in
            XCTAssertTrue("\(error)".contains("temp-flood"), "the error lists the catalogue: \(error)")
        }
    }
}
