import OpsBrainCore
import OpsBrainDocuments
import XCTest

/// SOP parameters: declared with a kind and a default, substituted for `{{name}}` when the file is
/// parsed, set per deployment under `sop_parameters` in the config, and checked by lint with the
/// line of the mistake in the SOP or in the config.
final class SOPParameterTests: XCTestCase {
    /// A disk SOP whose threshold, file pattern and window are parameters.
    static let parameters = """
        parameters:
          disk_full_pct: {kind: number, default: 90, description: Used percent at which temp files are cleaned}
          temp_pattern: {kind: pattern, default: "*.tmp", description: Files that are safe to delete}
          temp_age: {kind: duration, default: 1d, description: How old a temp file must be}
        """

    static let diagnosis = """
        diagnosis:
          - id: disk
            type: disk_usage
            target: tmp
            expect: {used_percent: {lt: "{{disk_full_pct}}"}}
        """

    static let fix = """
        fix:
          - id: clean
            operation: temp_cleanup
            when: "disk.used_percent >= {{disk_full_pct}}"
            target: tmp
            pattern: "{{temp_pattern}}"
            older_than: "{{temp_age}}"
        """

    private func config(_ yaml: String) throws -> OpsBrainConfig {
        try ConfigParser.parse("""
            targets:
              tmp: {type: path, path: /tmp/app}
              app_db: {type: postgres, url_env: APP_DB}
              prometheus: {type: prometheus, url: http://127.0.0.1:9090}
            \(yaml)
            """, path: "opsbrain.yaml")
    }

    private func lint(_ text: String, config: OpsBrainConfig? = SOPFixtures.config) -> SOPLintReport {
        SOPFixtures.lint(text, config: config)
    }

    private func sop(parameters: String = SOPParameterTests.parameters, diagnosis: String = SOPParameterTests.diagnosis,
                     fix: String = SOPParameterTests.fix) -> String {
        SOPFixtures.sop(diagnosis: diagnosis, fix: fix, extra: parameters)
    }

    private func assertIssue(_ report: SOPLintReport, file: String = "SOPs/infrastructure/disk-filling.md", line: Int,
                             contains text: String, level: DocumentIssue.Level = .error, at sourceLine: UInt = #line) {
        XCTAssertTrue(report.issues.contains { $0.file == file && $0.line == line && $0.level == level && $0.message.contains(text) },
                      "expected \(file):\(line): \(level) containing '\(text)'; got \(report.issues.map(\.description))",
                      line: sourceLine)
    }

    func testDefaultsAreSubstitutedWithTheirTypes() throws {
        let report = lint(sop())
        XCTAssertEqual(report.issues.map(\.description), [])
        let definition = try XCTUnwrap(report.documents.first?.definition)
        XCTAssertEqual(definition.diagnosis[0].expect["used_percent"], Expectation([.lt(90)]), "a whole number placeholder is a number")
        XCTAssertEqual(definition.fix[0].when, try Condition(parsing: "disk.used_percent >= 90"))
        XCTAssertEqual(definition.fix[0].parameters["pattern"], .string("*.tmp"))
        XCTAssertEqual(definition.fix[0].parameters["older_than"], .string("1d"))
        XCTAssertEqual(definition.parameters.map(\.name), ["disk_full_pct", "temp_age", "temp_pattern"])
        XCTAssertFalse(definition.parameters.contains(where: \.isOverridden))
    }

    func testConfigValuesWinAndAnSOPsOwnValueWinsOverTheDefaults() throws {
        let config = try config("""
            sop_parameters:
              defaults:
                disk_full_pct: 80
                temp_pattern: "*.part"
              sops:
                disk-filling:
                  temp_pattern: "upload-*"
            """)
        let report = lint(sop(), config: config)
        XCTAssertEqual(report.issues.map(\.description), [])
        let definition = try XCTUnwrap(report.documents.first?.definition)
        XCTAssertEqual(definition.diagnosis[0].expect["used_percent"], Expectation([.lt(80)]))
        XCTAssertEqual(definition.fix[0].when, try Condition(parsing: "disk.used_percent >= 80"))
        XCTAssertEqual(definition.fix[0].parameters["pattern"], .string("upload-*"))
        let threshold = try XCTUnwrap(definition.parameters.first { $0.name == "disk_full_pct" })
        XCTAssertEqual([threshold.value, threshold.defaultValue], ["80", "90"])
        XCTAssertTrue(threshold.isOverridden)
    }

    func testUnknownPlaceholderIsAnErrorAtItsLine() {
        let fix = Self.fix.replacingOccurrences(of: "{{temp_pattern}}", with: "{{tmp_pattern}}")
        let report = lint(sop(fix: fix))
        assertIssue(report, line: 23, contains: "unknown parameter '{{tmp_pattern}}' (declared: disk_full_pct, temp_age, temp_pattern)")
        XCTAssertTrue(report.documents.isEmpty, "a file with an unknown placeholder does not load")
        let undeclared = lint(SOPFixtures.sop(fix: Self.fix))
        assertIssue(undeclared, line: 21, contains: "unknown parameter '{{disk_full_pct}}' (the SOP declares none")
    }

    func testAConfigValueForAParameterTheSOPDoesNotDeclareIsAnErrorInTheConfig() throws {
        let config = try config("""
            sop_parameters:
              sops:
                disk-filling:
                  disk_ful_pct: 80
            """)
        let report = lint(sop(), config: config)
        assertIssue(report, file: "opsbrain.yaml", line: 8,
                    contains: "key 'sop_parameters.sops.disk-filling.disk_ful_pct': SOP 'disk-filling' has no parameter 'disk_ful_pct'")
        XCTAssertTrue(report.documents.isEmpty)
    }

    func testConfigValuesForAMissingSOPOrANameNoSOPDeclaresAreErrors() throws {
        let config = try config("""
            sop_parameters:
              defaults:
                job_label: nginx
              sops:
                disk-filing: {temp_pattern: "*.part"}
            """)
        let report = lint(sop(), config: config)
        assertIssue(report, file: "opsbrain.yaml", line: 7, contains: "key 'sop_parameters.defaults.job_label': no SOP declares a parameter 'job_label'")
        assertIssue(report, file: "opsbrain.yaml", line: 9, contains: "key 'sop_parameters.sops.disk-filing': there is no SOP named 'disk-filing'")
        XCTAssertEqual(report.documents.count, 1, "the SOP itself is fine")
        let partial = SOPLinter.lint([SOPSource(path: "SOPs/infrastructure/disk-filling.md", bytes: Array(sop().utf8))],
                                     config: config, wholeCatalogue: false)
        XCTAssertEqual(partial.issues.map(\.description), [], "linting some files only cannot know the other SOPs")
    }

    func testASQLIdentifierRefusesAnInjectionAtTheConfigLine() throws {
        let diagnosis = """
            diagnosis:
              - id: failed
                type: sql
                target: app_db
                query: "SELECT count(*) AS failed FROM {{jobs_table}} WHERE status = $1"
                params: ["{{failed_status}}"]
                expect: {failed: 0}
            """
        let parameters = """
            parameters:
              jobs_table: {kind: identifier, default: jobs, description: The job table}
              failed_status: {kind: text, default: "failed", description: Status of a failed job}
            """
        let text = SOPFixtures.sop(diagnosis: diagnosis, fix: "", extra: parameters)
        let clean = try XCTUnwrap(lint(text).documents.first?.definition.diagnosis.first)
        XCTAssertEqual(clean.parameters["query"], .string("SELECT count(*) AS failed FROM jobs WHERE status = $1"))
        XCTAssertEqual(clean.parameters["params"], .array([.string("failed")]), "text goes to bind parameters, not into SQL")
        let hostile = try config("""
            sop_parameters:
              sops:
                disk-filling:
                  jobs_table: "jobs; DROP TABLE x"
                  failed_status: "x'; DROP TABLE jobs; --"
            """)
        let report = lint(text, config: hostile)
        assertIssue(report, file: "opsbrain.yaml", line: 8,
                    contains: "'jobs; DROP TABLE x' for SOP 'disk-filling' (kind identifier): expected an identifier")
        XCTAssertFalse(report.issues.contains { $0.line == 9 }, "any text is safe as a bind parameter")
        XCTAssertTrue(report.documents.isEmpty, "an SOP with a refused value does not load")
    }

    func testKindsThatAPlaceCannotTakeAreRefused() {
        let diagnosis = """
            diagnosis:
              - id: rows
                type: sql
                target: app_db
                query: "SELECT count(*) AS n FROM jobs WHERE status = '{{status}}'"
              - id: rate
                type: metric
                target: prometheus
                query: 'sum(rate(http_requests_total{job={{job}}}[5m]))'
            """
        let fix = """
            fix:
              - id: clean
                operation: temp_cleanup
                when: "rows.n > 0 and '{{status}}' == 'failed'"
                target: tmp
            """
        let parameters = """
            parameters:
              status: {kind: text, default: failed, description: A job status}
              job: {kind: label_value, default: app, description: The Prometheus job}
            """
        let report = lint(SOPFixtures.sop(diagnosis: diagnosis, fix: fix, extra: parameters))
        assertIssue(report, line: 17, contains: "parameter 'status' is of kind text, which a SQL query cannot take (it takes: identifier, number, duration)")
        assertIssue(report, line: 21, contains: "label_value parameter 'job' must stand inside double quotes")
        assertIssue(report, line: 25, contains: "parameter 'status' is of kind text, which a condition cannot take (it takes: number)")
    }

    func testPromQLLabelValuesCannotLeaveTheirQuotes() throws {
        let diagnosis = """
            diagnosis:
              - id: up
                type: metric
                target: prometheus
                query: 'min(up{job="{{job}}"})'
                expect: {value: 1}
            """
        let parameters = "parameters:\n  job: {kind: label_value, default: app, description: The Prometheus job}"
        let text = SOPFixtures.sop(diagnosis: diagnosis, fix: "", extra: parameters)
        let nginx = try config("sop_parameters:\n  defaults: {job: nginx}")
        let step = try XCTUnwrap(lint(text, config: nginx).documents.first?.definition.diagnosis.first)
        XCTAssertEqual(step.parameters["query"], .string(#"min(up{job="nginx"})"#))
        let hostile = try config(#"sop_parameters:\n  defaults: {job: 'x"} or vector(1) or up{job="x'}"#.replacingOccurrences(of: "\\n", with: "\n"))
        assertIssue(lint(text, config: hostile), file: "opsbrain.yaml", line: 6, contains: "expected a label value")
    }

    func testKeysThatDecideWhatRunsCannotTakeParameters() {
        let fix = Self.fix.replacingOccurrences(of: "target: tmp", with: "target: \"{{temp_pattern}}\"")
        assertIssue(lint(sop(fix: fix)), line: 22, contains: "key 'target' cannot take a parameter")
        let risk = SOPFixtures.sop(diagnosis: Self.diagnosis, fix: Self.fix, extra: Self.parameters)
            .replacingOccurrences(of: "risk: low", with: "risk: \"{{temp_pattern}}\"")
        assertIssue(lint(risk), line: 7, contains: "key 'risk' cannot take a parameter")
    }

    func testDeclarationMistakes() {
        let parameters = """
            parameters:
              Disk: {kind: number, default: 90, description: x}
              disk_full_pct: {kind: percent, default: 90, description: x}
              temp_pattern: {kind: pattern, default: "*", description: x}
              temp_age: {kind: duration, default: 1d}
            """
        let report = lint(sop(parameters: parameters))
        assertIssue(report, line: 37, contains: "key 'parameters.Disk': a parameter name starts with a-z")
        assertIssue(report, line: 38, contains: "'percent' is not one of text, identifier")
        assertIssue(report, line: 39, contains: "a pattern of wildcards only would match everything")
        assertIssue(report, line: 40, contains: "key 'parameters.temp_age': a parameter needs 'description'")
    }

    func testAnUnusedParameterIsAWarning() {
        let parameters = Self.parameters + "\n  log_dir: {kind: path, default: /var/log/app, description: Where logs are}"
        let report = lint(sop(parameters: parameters))
        XCTAssertEqual(report.errorCount, 0, report.issues.map(\.description).joined(separator: "\n"))
        assertIssue(report, line: 40, contains: "parameter 'log_dir' is declared but never used", level: .warning)
    }

    func testSQLIsCheckedForWritesAfterSubstitution() {
        let diagnosis = """
            diagnosis:
              - id: rows
                type: sql
                target: app_db
                query: "{{verb}} FROM jobs RETURNING id"
            """
        let parameters = "parameters:\n  verb: {kind: identifier, default: DELETE, description: x}"
        assertIssue(lint(SOPFixtures.sop(diagnosis: diagnosis, fix: "", extra: parameters)), line: 14, contains: "single SELECT")
    }
}

/// Per-target values: a parameter set under `sop_parameters.targets.T` applies to every SOP that
/// names T, over the defaults and under the SOP's own value.
final class SOPTargetParameterTests: XCTestCase {
    private func config(_ parameters: String) throws -> OpsBrainConfig {
        try ConfigParser.parse("""
            targets:
              tmp: {type: path, path: /tmp/app}
              scratch: {type: path, path: /tmp/scratch}
            \(parameters)
            """, path: "opsbrain.yaml")
    }

    private func definition(_ text: String, _ config: OpsBrainConfig) -> (SOPDefinition?, [String]) {
        let report = SOPFixtures.lint(text, config: config)
        return (report.documents.first?.definition, report.issues.filter { $0.level == .error }.map(\.description))
    }

    private var sop: String {
        SOPFixtures.sop(diagnosis: SOPParameterTests.diagnosis, fix: SOPParameterTests.fix, extra: SOPParameterTests.parameters)
    }

    func testATargetsValueAppliesOverTheDefaultsAndUnderTheSOPsOwn() throws {
        let (fromTarget, issues) = definition(sop, try config("""
            sop_parameters:
              defaults: {temp_pattern: "*.part"}
              targets:
                tmp: {temp_pattern: "tmp*"}
                scratch: {temp_pattern: "scratch-*"}
            """))
        XCTAssertEqual(issues, [])
        XCTAssertEqual(fromTarget?.fix[0].parameters["pattern"], .string("tmp*"), "the SOP names tmp, not scratch")
        let (own, _) = definition(sop, try config("""
            sop_parameters:
              targets: {tmp: {temp_pattern: "tmp*"}}
              sops: {disk-filling: {temp_pattern: "upload-*"}}
            """))
        XCTAssertEqual(own?.fix[0].parameters["pattern"], .string("upload-*"))
    }

    func testTwoTargetsOfOneSOPThatDisagreeAreAnError() throws {
        let both = sop.replacingOccurrences(of: "    older_than: \"{{temp_age}}\"", with: "    older_than: \"{{temp_age}}\"\n  - id: clean_scratch\n    operation: temp_cleanup\n    target: scratch\n    pattern: \"{{temp_pattern}}\"\n    older_than: 1d")
        XCTAssertNotEqual(both, sop)
        let (loaded, issues) = definition(both, try config("""
            sop_parameters:
              targets:
                tmp: {temp_pattern: "tmp*"}
                scratch: {temp_pattern: "scratch-*"}
            """))
        XCTAssertNil(loaded)
        XCTAssertTrue(issues.contains { $0.hasPrefix("opsbrain.yaml:") && $0.contains("SOP 'disk-filling' names two targets that set this parameter differently") },
                      "\(issues)")
    }

    func testAValueForAnUnknownTargetOrAParameterNoSOPDeclaresIsAnError() throws {
        XCTAssertThrowsError(try config("""
            sop_parameters:
              targets: {tpm: {temp_pattern: "tmp*"}}
            """)) { error in
            XCTAssertTrue("\(error)".contains("opsbrain.yaml:5: error: key 'sop_parameters.targets.tpm': there is no target 'tpm'"), "\(error)")
        }
        let (_, issues) = definition(sop, try config("""
            sop_parameters:
              targets: {tmp: {tmp_pattern: "tmp*"}}
            """))
        XCTAssertTrue(issues.contains { $0.contains("key 'sop_parameters.targets.tmp.tmp_pattern': no SOP declares a parameter 'tmp_pattern'") }, "\(issues)")
    }
}

/// `{{instance}}`: the one placeholder left for run time, the execution's instance in a metric query.
final class SOPInstancePlaceholderTests: XCTestCase {
    private func lint(diagnosis: String) -> SOPLintReport {
        SOPFixtures.lint(SOPFixtures.sop(diagnosis: diagnosis, fix: ""), config: try! ConfigParser.parse("""
            targets:
              prometheus: {type: prometheus, url: http://127.0.0.1:9090}
              tmp: {type: path, path: /tmp/app}
            """, path: "opsbrain.yaml"))
    }

    func testItStaysInAMetricQueryAndIsFilledInWhenTheStepRuns() throws {
        let report = lint(diagnosis: """
            diagnosis:
              - id: restarts
                type: metric
                target: prometheus
                query: 'max(changes(start{job="app",instance=~"{{instance}}"}[15m]))'
            """)
        XCTAssertEqual(report.issues.filter { $0.level == .error }.map(\.description), [])
        let query = try XCTUnwrap(report.documents.first?.definition.diagnosis.first?.parameters["query"]?.stringValue)
        XCTAssertEqual(query, #"max(changes(start{job="app",instance=~"{{instance}}"}[15m]))"#)
        XCTAssertEqual(SOPParameter.fillingInstance(query, with: "web-1.example"), #"max(changes(start{job="app",instance=~"web-1\\.example"}[15m]))"#,
                       "the dot of a declared instance name matches itself only")
        XCTAssertEqual(SOPParameter.fillingInstance(query, with: nil), #"max(changes(start{job="app",instance=~".+"}[15m]))"#,
                       "a run for no instance looks at them all")
    }

    func testItIsRefusedOutsideAQuotedMetricQueryAndCannotBeDeclared() {
        let inPath = lint(diagnosis: """
            diagnosis:
              - id: disk
                type: file_stat
                target: tmp
                pattern: "{{instance}}.log"
            """)
        XCTAssertTrue(inPath.issues.contains { $0.message.contains("{{instance}} stands only in a metric step's query") }, "\(inPath.issues)")
        let unquoted = lint(diagnosis: """
            diagnosis:
              - id: up
                type: metric
                target: prometheus
                query: 'up{instance={{instance}}}'
            """)
        XCTAssertTrue(unquoted.issues.contains { $0.message.contains("{{instance}} must stand inside double quotes") }, "\(unquoted.issues)")
        let declared = SOPFixtures.lint(SOPFixtures.sop(fix: "", extra: """
            parameters:
              instance: {kind: text, default: web, description: The instance}
            """))
        XCTAssertTrue(declared.issues.contains { $0.message.contains("'instance' is reserved") }, "\(declared.issues)")
    }
}
