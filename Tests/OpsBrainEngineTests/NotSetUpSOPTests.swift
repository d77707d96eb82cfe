import Foundation
import OpsBrainCore
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// An SOP whose targets this deployment lacks is not set up here: its alerts are escalated naming
/// the SOP and what it needs, nothing runs against the missing target, and an SOP that is set up
/// wins over it for the same alert.
final class NotSetUpSOPTests: XCTestCase {
    private static func diskSOP(name: String, target: String) -> String {
        EnginePipelineTests.sop(name: name, category: "infrastructure", type: "disk_full", diagnosis: """
            diagnosis:
              - id: disk
                type: disk_usage
                target: \(target)
                expect: {used_percent: {lt: 90}}
            """, fix: """
            fix:
              - id: clean
                operation: temp_cleanup
                when: "disk.failed"
                target: \(target)
                older_than: 1h
            """, verification: """
              steps:
                - id: disk_ok
                  type: disk_usage
                  target: \(target)
                  expect: {used_percent: {lt: 90}}
            """)
    }

    func testAnAlertForAnSOPThatIsNotSetUpEscalatesNamingTheMissingTargets() throws {
        let harness = try EngineHarness(sops: ["infrastructure/disk-full": Self.diskSOP(name: "disk-full", target: "data_volume")],
                                        configYAML: { EnginePipelineTests.config($0) })
        let alert = try harness.fire(type: "disk_full", title: "Disk 97% full on db-1")
        let done = try harness.runUntil(alert: alert, ["escalated", "success", "failed", "awaiting_approval"])
        XCTAssertEqual(done.summary.status, "escalated")
        XCTAssertEqual(done.summary.sopName, "disk-full", "the execution names the SOP that matched")
        let reason = try XCTUnwrap(done.escalationReason)
        XCTAssertTrue(reason.contains("disk-full") && reason.contains("not set up here") && reason.contains("'data_volume'"), reason)
        XCTAssertTrue(done.steps.isEmpty, "nothing ran against a target that does not exist: \(done.steps.map(\.stepID))")
    }

    func testAnSOPThatIsSetUpWinsOverOneThatIsNot() throws {
        let folder = try TemporaryDirectory.make(prefix: "ob-notsetup")
        let harness = try EngineHarness(sops: [
            "infrastructure/disk-full": Self.diskSOP(name: "disk-full", target: "data_volume"),
            "infrastructure/disk-full-here": Self.diskSOP(name: "disk-full-here", target: "scratch"),
        ], configYAML: { url in EnginePipelineTests.config(url) + "\n  scratch:\n    type: path\n    path: \(folder)\n" })
        let alert = try harness.fire(type: "disk_full", title: "Disk 97% full on db-1")
        let done = try harness.runUntil(alert: alert, ["escalated", "success", "failed", "awaiting_approval"])
        XCTAssertEqual(done.summary.sopName, "disk-full-here")
        XCTAssertFalse(done.escalationReason?.contains("not set up") ?? false, done.escalationReason ?? "")
    }
}

/// An "unknown problem" says which SOPs listed the alert's type and what turned the alert away.
final class NearMissTests: XCTestCase {
    func testARuleWithoutASeverityLabelIsToldWhyNoSOPTookIt() throws {
        let sop = EnginePipelineTests.sop(name: "disk-critical", category: "infrastructure", type: "DiskFull", diagnosis: """
            diagnosis:
              - id: db
                type: sql
                target: app_db
                query: "SELECT 1 AS one"
            """, fix: "fix: []", verification: "  steps: []").replacingOccurrences(of: "  alert_types: [DiskFull]",
                                                                               with: "  alert_types: [DiskFull]\n  severity_min: high")
        let harness = try EngineHarness(sops: ["infrastructure/disk-critical": sop], configYAML: { EnginePipelineTests.config($0) })
        let alert = try harness.repository.insertAlert(source: "alertmanager", alertType: "DiskFull", title: "Disk full on db-1",
                                                       severity: "medium", labels: ["alertname": "DiskFull", "instance": "db-1"],
                                                       evidence: .object([:]), fingerprint: nil)
        let done = try harness.runUntil(alert: alert, ["escalated", "success", "failed", "awaiting_approval"])
        XCTAssertEqual(done.summary.status, "escalated")
        XCTAssertNil(done.summary.sopName)
        let reason = done.escalationReason ?? ""
        XCTAssertTrue(reason.contains("SOP disk-critical lists 'DiskFull' but needs severity high or higher; this alert is medium"), reason)
        XCTAssertTrue(reason.contains("no severity label"), reason)
    }
}
