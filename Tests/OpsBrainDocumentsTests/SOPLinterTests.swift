import OpsBrainCore
import OpsBrainDocuments
import XCTest

/// Each class of SOP mistake is reported with the right line, and valid files load.
final class SOPLinterTests: XCTestCase {
    private func messages(_ report: SOPLintReport) -> [String] { report.issues.map(\.description) }

    private func assertIssue(_ report: SOPLintReport, line: Int, contains text: String,
                             level: DocumentIssue.Level = .error, file: StaticString = #filePath, lineNumber: UInt = #line) {
        XCTAssertTrue(report.issues.contains { $0.line == line && $0.level == level && $0.message.contains(text) },
                      "expected \(level) at line \(line) containing '\(text)'; got \(messages(report))",
                      file: file, line: lineNumber)
    }

    func testBaselineIsValid() throws {
        let report = SOPFixtures.lint(SOPFixtures.sop())
        XCTAssertEqual(messages(report), [])
        let definition = try XCTUnwrap(report.documents.first?.definition)
        XCTAssertEqual(definition.name, "disk-filling")
        XCTAssertEqual(definition.fix.first?.operation, .tempCleanup)
        XCTAssertEqual(definition.diagnosis.first?.expect["used_percent"], Expectation([.lt(90)]))
        XCTAssertEqual(definition.verification.attempts, 2)
        XCTAssertEqual(definition.verification.waitBefore, .seconds(5))
    }

    func testYAMLSyntaxErrorHasItsLine() {
        let text = SOPFixtures.sop(extra: "notification: {slack: [oops")
        assertIssue(SOPFixtures.lint(text), line: 36, contains: "YAML syntax")
    }

    func testUnknownKeysAreErrors() {
        let report = SOPFixtures.lint(SOPFixtures.sop(extra: "colour: red"))
        assertIssue(report, line: 35, contains: "unknown key 'colour'")
        let stepKey = SOPFixtures.lint(SOPFixtures.sop(diagnosis: """
            diagnosis:
              - id: disk
                type: disk_usage
                target: tmp
                treshold: 5
            """))
        assertIssue(stepKey, line: 17, contains: "unknown key 'diagnosis[0].treshold'")
    }

    func testUnknownStepTypeAndOperation() {
        let report = SOPFixtures.lint(SOPFixtures.sop(
            diagnosis: "diagnosis:\n  - id: disk\n    type: disk_space\n    target: tmp",
            fix: "fix:\n  - id: clean\n    operation: rm_rf\n    target: tmp"))
        assertIssue(report, line: 15, contains: "unknown step type 'disk_space'")
        assertIssue(report, line: 19, contains: "unknown operation 'rm_rf'")
    }

    func testMissingAndBadParameters() {
        let report = SOPFixtures.lint(SOPFixtures.sop(
            diagnosis: "diagnosis:\n  - id: rate\n    type: sql\n    target: app_db",
            fix: "fix:\n  - id: clean\n    operation: temp_cleanup\n    target: tmp\n    older_than: soon"))
        assertIssue(report, line: 14, contains: "missing parameter 'query'")
        assertIssue(report, line: 21, contains: "key 'fix[0].older_than': expected a duration")
    }

    func testTargetsAreCheckedAgainstTheConfig() {
        let text = SOPFixtures.sop(diagnosis: "diagnosis:\n  - id: disk\n    type: disk_usage\n    target: nowhere")
        let notSetUp = SOPFixtures.lint(text)
        XCTAssertEqual(notSetUp.errorCount, 0, "a target the config lacks is no error: " + messages(notSetUp).joined(separator: "\n"))
        XCTAssertEqual(notSetUp.documents.first?.definition.missingTargets(in: SOPFixtures.config.targets), ["nowhere"],
                       "the SOP is loaded as not set up here, naming what it needs")
        let wrongKind = SOPFixtures.sop(diagnosis: "diagnosis:\n  - id: disk\n    type: disk_usage\n    target: cache")
        assertIssue(SOPFixtures.lint(wrongKind), line: 14, contains: "target 'cache' is a redis target; expected path")
        let unchecked = SOPFixtures.lint(text, config: nil)
        XCTAssertEqual(unchecked.errorCount, 0, messages(unchecked).joined(separator: "\n"))
        assertIssue(unchecked, line: 1, contains: "targets not checked (no config given): nowhere, tmp", level: .warning)
    }

    func testMissingBodySections() {
        let text = SOPFixtures.sop(body: "# disk-filling\n\n## Trigger\nDisk.\n")
        assertIssue(SOPFixtures.lint(text), line: 37, contains: "lacks section(s): '## Severity'")
    }

    func testAutoFixOnNeverAutoFixOperation() {
        let fix = """
            fix:
              - id: rotate
                operation: http_call
                target: admin
                path: /rotate-keys
            """
        assertIssue(SOPFixtures.lint(SOPFixtures.sop(fix: fix)), line: 19, contains: "never-auto-fix class 'credentials'")
        let declared = fix.replacingOccurrences(of: "target: admin", with: "target: web\n    class: billing")
        assertIssue(SOPFixtures.lint(SOPFixtures.sop(fix: declared)), line: 19, contains: "never-auto-fix class 'billing'")
        let acknowledged = SOPFixtures.lint(SOPFixtures.sop(fix: fix + "\n    approval: required"))
        XCTAssertEqual(acknowledged.errorCount, 0, messages(acknowledged).joined(separator: "\n"))
        let manual = SOPFixtures.lint(SOPFixtures.sop(autoFix: false, fix: fix))
        XCTAssertEqual(manual.errorCount, 0, messages(manual).joined(separator: "\n"))
    }

    func testDuplicateNamesAcrossFiles() {
        let text = Array(SOPFixtures.sop().utf8)
        let report = SOPLinter.lint([SOPSource(path: "a/infrastructure/disk-filling.md", bytes: text),
                                     SOPSource(path: "b/infrastructure/disk-filling.md", bytes: text)],
                                    config: SOPFixtures.config)
        XCTAssertEqual(report.documents.count, 1)
        XCTAssertEqual(messages(report), ["b/infrastructure/disk-filling.md:2: error: duplicate SOP name 'disk-filling' (also in a/infrastructure/disk-filling.md)"])
    }

    func testBadRegularExpressions() {
        let trigger = "trigger:\n  title_patterns: [\"(unclosed\"]\n  labels: {host: \"~[bad\"}"
        let report = SOPFixtures.lint(SOPFixtures.sop(trigger: trigger))
        assertIssue(report, line: 11, contains: "'(unclosed' is not a valid regular expression")
        assertIssue(report, line: 12, contains: "'[bad' is not a valid regular expression")
    }

    func testConditionsMustReferToStepsAndTheirValues() {
        let fix = "fix:\n  - id: clean\n    operation: temp_cleanup\n    target: tmp\n    when: \"disc.used_percent > 1 and disk.colour == 'red'\""
        let report = SOPFixtures.lint(SOPFixtures.sop(fix: fix))
        assertIssue(report, line: 19, contains: "no step 'disc'")
        assertIssue(report, line: 19, contains: "step 'disk' (disk_usage) yields no 'colour'")
        let syntax = SOPFixtures.lint(SOPFixtures.sop(fix: fix.replacingOccurrences(of: "when: \"disc", with: "when: \"(disc")))
        assertIssue(syntax, line: 22, contains: "missing ')'")
    }

    func testDiagnosisSQLMustBeReadOnly() {
        let diagnosis = "diagnosis:\n  - id: rows\n    type: sql\n    target: app_db\n    query: \"DELETE FROM jobs RETURNING id\""
        assertIssue(SOPFixtures.lint(SOPFixtures.sop(diagnosis: diagnosis)), line: 14, contains: "single SELECT")
        let sneaky = diagnosis.replacingOccurrences(of: "DELETE FROM jobs RETURNING id", with: "SELECT 1; DROP TABLE jobs")
        assertIssue(SOPFixtures.lint(SOPFixtures.sop(diagnosis: sneaky)), line: 14, contains: "more than one statement")
        let cte = diagnosis.replacingOccurrences(of: "DELETE FROM jobs RETURNING id",
                                                 with: "WITH d AS (DELETE FROM jobs RETURNING id) SELECT count(*) FROM d")
        assertIssue(SOPFixtures.lint(SOPFixtures.sop(diagnosis: cte)), line: 14, contains: "not read-only ('DELETE')")
    }

    func testPlaceholdersAreRefused() {
        let diagnosis = "diagnosis:\n  - id: disk\n    type: http\n    target: web\n    path: /accounts/${ACCOUNT}/balance"
        assertIssue(SOPFixtures.lint(SOPFixtures.sop(diagnosis: diagnosis)), line: 14, contains: "placeholder")
    }

    func testFileNameAndFolderMustMatch() {
        let report = SOPFixtures.lint(SOPFixtures.sop(), path: "SOPs/data/disk-full.md")
        assertIssue(report, line: 2, contains: "does not match the file name 'disk-full.md'")
        assertIssue(report, line: 3, contains: "does not match the folder 'data'")
    }
}
