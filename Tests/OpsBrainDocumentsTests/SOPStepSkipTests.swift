import OpsBrainCore
import OpsBrainDocuments
import XCTest

/// Skipped steps: an SOP declares what a diagnosis step reads as where a deployment does not have
/// the thing it reads (`if_skipped`), and a deployment skips it in `sop_parameters.skip_steps`.
final class SOPStepSkipTests: XCTestCase {
    /// A disk SOP whose second step reads an app table that a stock stack does not have.
    static let diagnosis = """
        diagnosis:
          - id: disk
            type: disk_usage
            target: tmp
            expect: {used_percent: {lt: 90}}
          - id: running_exports
            type: sql
            target: app_db
            query: SELECT count(*) AS running FROM jobs WHERE status = 'processing'
            if_skipped: {running: 0}
            expect: {running: {lt: 5}}
        """

    private func lint(_ text: String, config yaml: String) throws -> SOPLintReport {
        let config = try ConfigParser.parse("""
            targets:
              tmp: {type: path, path: /tmp/app}
            \(yaml)
            """, path: "opsbrain.yaml")
        return SOPFixtures.lint(text, config: config)
    }

    private func assertConfigIssue(_ report: SOPLintReport, line: Int, contains text: String, at sourceLine: UInt = #line) {
        XCTAssertTrue(report.issues.contains { $0.file == "opsbrain.yaml" && $0.line == line && $0.level == .error && $0.message.contains(text) },
                      "expected opsbrain.yaml:\(line) containing '\(text)'; got \(report.issues.map(\.description))", line: sourceLine)
    }

    func testASkippedStepReadsAsItsDeclaredValuesAndNeedsNoTarget() throws {
        let text = SOPFixtures.sop(diagnosis: Self.diagnosis)
        let report = try lint(text, config: """
            sop_parameters:
              skip_steps:
                disk-filling: [running_exports]
            """)
        XCTAssertEqual(report.issues.filter { $0.level == .error }.map(\.description), [])
        let definition = try XCTUnwrap(report.documents.first?.definition)
        let step = try XCTUnwrap(definition.diagnosis.first { $0.id == "running_exports" })
        XCTAssertTrue(step.skippedHere)
        XCTAssertEqual(step.skipResult, ["running": .integer(0)])
        XCTAssertFalse(definition.targetNames.contains("app_db"), "a skipped step's target is not needed")
        XCTAssertEqual(definition.missingTargets(in: ["tmp": TargetDefinition(name: "tmp", kind: .path, fields: ["path": .string("/tmp/app")])]), [])
    }

    func testWithoutTheSkipTheStepRunsAndItsTargetIsNeeded() throws {
        let report = try lint(SOPFixtures.sop(diagnosis: Self.diagnosis), config: "")
        let definition = try XCTUnwrap(report.documents.first?.definition)
        XCTAssertFalse(try XCTUnwrap(definition.diagnosis.last).skippedHere)
        XCTAssertTrue(definition.targetNames.contains("app_db"))
    }

    func testOnlyAStepThatDeclaresIfSkippedCanBeSkipped() throws {
        let report = try lint(SOPFixtures.sop(diagnosis: Self.diagnosis), config: """
            sop_parameters:
              skip_steps:
                disk-filling: [disk, exports]
            """)
        assertConfigIssue(report, line: 5, contains: "step 'disk' of SOP 'disk-filling' declares no 'if_skipped', so it cannot be skipped")
        assertConfigIssue(report, line: 5, contains: "SOP 'disk-filling' has no diagnosis step 'exports' (its steps: disk, running_exports)")
        XCTAssertTrue(report.documents.isEmpty, "an SOP whose skips are wrong does not load")
    }

    func testASkipForAnSOPThatDoesNotExistIsAnError() throws {
        let report = try lint(SOPFixtures.sop(diagnosis: Self.diagnosis), config: """
            sop_parameters:
              skip_steps:
                disk-filing: [running_exports]
            """)
        assertConfigIssue(report, line: 5, contains: "key 'sop_parameters.skip_steps.disk-filing': there is no SOP named 'disk-filing'")
    }

    func testIfSkippedNamesValuesTheStepYieldsAndOnlyInDiagnosis() throws {
        let wrongValue = Self.diagnosis.replacingOccurrences(of: "    expect: {used_percent: {lt: 90}}",
                                                            with: "    if_skipped: {percent: 0}\n    expect: {used_percent: {lt: 90}}")
        let report = try lint(SOPFixtures.sop(diagnosis: wrongValue), config: "")
        XCTAssertTrue(report.issues.contains { $0.message.contains("a disk_usage step yields no 'percent'") }, "\(report.issues.map(\.description))")
        let inVerification = SOPFixtures.sop(diagnosis: Self.diagnosis).replacingOccurrences(
            of: "    - id: disk_ok\n", with: "    - id: disk_ok\n      if_skipped: {used_percent: 0}\n")
        XCTAssertNotEqual(inVerification, SOPFixtures.sop(diagnosis: Self.diagnosis), "the fixture has a verification step disk_ok")
        let verification = try lint(inVerification, config: "")
        XCTAssertTrue(verification.issues.contains { $0.message.contains("if_skipped") && $0.level == .error },
                      "verification is never skipped: \(verification.issues.map(\.description))")
    }
}
