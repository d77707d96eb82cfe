import OpsBrainCore
import OpsBrainDocuments
import XCTest

/// A deployment's limits for an SOP (`sop_parameters.limits`): a fleet of six instances may
/// restart more than the file's three an hour, and a typo in the SOP's name is an error.
final class SOPLimitOverrideTests: XCTestCase {
    private func lint(config yaml: String) throws -> SOPLintReport {
        let config = try ConfigParser.parse("""
            targets:
              tmp: {type: path, path: /tmp/app}
              app_db: {type: postgres, url: "postgresql://localhost/app"}
            \(yaml)
            """, path: "opsbrain.yaml")
        return SOPFixtures.lint(SOPFixtures.sop(diagnosis: SOPStepSkipTests.diagnosis), config: config)
    }

    func testTheDeploymentsLimitsReplaceTheFilesOwn() throws {
        let plain = try XCTUnwrap(try lint(config: "").documents.first?.definition)
        let report = try lint(config: """
            sop_parameters:
              limits:
                disk-filling: {max_executions_per_hour: 12, cooldown_minutes: 0}
            """)
        XCTAssertEqual(report.issues.filter { $0.level == .error }.map(\.description), [])
        let definition = try XCTUnwrap(report.documents.first?.definition)
        XCTAssertEqual(definition.maxExecutionsPerHour, 12)
        XCTAssertEqual(definition.cooldownMinutes, 0)
        XCTAssertNotEqual(plain.maxExecutionsPerHour, 12, "the file's own cap applies without the setting")
    }

    func testLimitsForAnSOPThatDoesNotExistOrOutOfRangeAreErrors() throws {
        let report = try lint(config: """
            sop_parameters:
              limits:
                disk-filing: {max_executions_per_hour: 12}
            """)
        let messages = report.issues.filter { $0.level == .error }.map(\.description)
        XCTAssertTrue(messages.contains { $0.contains("key 'sop_parameters.limits.disk-filing': there is no SOP named 'disk-filing'") },
                      "\(messages)")
        XCTAssertThrowsError(try ConfigParser.parse("""
            sop_parameters:
              limits:
                disk-filling: {max_executions_per_hour: 0, cool_down: 5}
            """, path: "opsbrain.yaml")) { error in
            XCTAssertTrue("\(error)".contains("max_executions_per_hour"), "\(error)")
            XCTAssertTrue("\(error)".contains("cool_down"), "\(error)")
        }
    }
}
