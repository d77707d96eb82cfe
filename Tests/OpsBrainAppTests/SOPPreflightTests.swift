import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainDocuments
import OpsBrainEngine
import OpsBrainPostgres
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// The preflight against real things: a PostgreSQL without the SOP's table, a Prometheus without its
/// metric, an HTTP service without its path; it finds each with file:line before any alert does,
/// and stays quiet about steps that work, including one whose expectation fails (that is a symptom).
final class SOPPreflightTests: XCTestCase {
    private var prometheus: PrometheusProcess?
    private var service: LocalHTTPServer?

    override func tearDown() {
        prometheus?.stop()
        service?.stop()
    }

    static let sop = PreflightRunbook.text(diagnosis: """
        diagnosis:
          - id: recent_deploys
            type: sql
            target: app_db
            query: "SELECT count(*) AS n FROM deployments WHERE created_at > now() - interval '1 hour'"
          - id: jobs_ok
            type: sql
            target: app_db
            query: "SELECT count(*) AS failed FROM jobs WHERE status = 'failed'"
            expect: {failed: 0}
          - id: error_rate
            type: metric
            target: prometheus
            query: 'sum(rate(http_requests_total{job="app"}[5m]))'
          - id: scrape_up
            type: metric
            target: prometheus
            query: 'up{job="prometheus"}'
          - id: health
            type: http
            target: web
            path: /health
            expect: {status: 200}
          - id: busy
            type: http
            target: web
            path: /busy
            expect: {status: 200}
        """)

    private func deployment(listen port: Int? = nil, sop: String = SOPPreflightTests.sop,
                            extraConfig: String = "") throws -> (config: String, folder: String) {
        let (connection, url) = try TestPostgres.migratedConnection()
        defer { connection.close() }
        try connection.query("CREATE TABLE jobs (id serial PRIMARY KEY, status text NOT NULL)")
        try connection.query("INSERT INTO jobs (status) VALUES ('failed')")
        prometheus = try PrometheusProcess()
        let web = try LocalHTTPServer()
        web.respond(to: "/busy", with: .init(status: 500, body: "overloaded"))
        service = web
        let folder = try TemporaryDirectory.make(prefix: "ob-preflight")
        try FileManager.default.createDirectory(atPath: folder + "/SOPs/data", withIntermediateDirectories: true)
        try sop.write(toFile: folder + "/SOPs/data/deploy-check.md", atomically: true, encoding: .utf8)
        let config = folder + "/opsbrain.yaml"
        try """
            targets:
              app_db: {type: postgres, url: "\(url)"}
              prometheus: {type: prometheus, url: "\(prometheus!.baseURL)"}
              web: {type: http, url: "\(web.baseURL)"}
            engine:
              sops_dir: \(folder)/SOPs
              listen: 127.0.0.1:\(port ?? 0)
            \(extraConfig)
            """.write(toFile: config, atomically: true, encoding: .utf8)
        return (config, folder)
    }

    func testPreflightFindsAMissingTableAnEmptyMetricAndAMissingPath() throws {
        let (configPath, folder) = try deployment()
        let config = try ConfigParser.parse(try String(contentsOfFile: configPath, encoding: .utf8), path: configPath)
        let (sources, _) = SOPFiles.collect([folder + "/SOPs"])
        let documents = SOPLinter.lint(sources, config: config).documents
        XCTAssertEqual(documents.count, 1)
        let report = SOPPreflight.run(documents, settings: EngineAssembly.settings(config: config), registry: EngineAssembly.registry(conninfo: ""))
        XCTAssertEqual(report.sopsChecked, 1)
        XCTAssertEqual(report.stepsRun, 6)
        let found = Dictionary(uniqueKeysWithValues: report.findings.map { ($0.step, $0) })
        XCTAssertEqual(Set(found.keys), ["recent_deploys", "error_rate", "health"], report.findings.map(\.description).joined(separator: "\n"))
        XCTAssertEqual(found["recent_deploys"]?.problem, .missingRelation)
        XCTAssertTrue(found["recent_deploys"]?.detail.contains("deployments") == true, found["recent_deploys"]?.detail ?? "")
        XCTAssertEqual(found["error_rate"]?.problem, .noSeries)
        XCTAssertEqual(found["health"]?.problem, .pathNotFound)
        let line = try XCTUnwrap(found["recent_deploys"]?.line)
        let fileLines = Self.sop.components(separatedBy: "\n")
        XCTAssertTrue(fileLines[line - 1].contains("recent_deploys"), "file:line points at the step: line \(line) is '\(fileLines[line - 1])'")
    }

    func testSOPCheckPrintsEachProblemWithFileAndLineAndExitsOne() throws {
        let (config, _) = try deployment()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try XCTUnwrap(OpsBrainBinary.path()))
        process.arguments = ["sop", "check", "--config", config]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1, output)
        XCTAssertTrue(output.contains("deploy-check.md:") && output.contains("step 'recent_deploys': missing relation"), output)
        XCTAssertTrue(output.contains("step 'error_rate': no series"), output)
        XCTAssertTrue(output.contains("1 SOPs checked (6 diagnosis steps), 3 cannot work here"), output)
    }
}

extension SOPPreflightTests {
    /// The findings of the preflight over the deployment `deployment` wrote.
    private func preflight(_ configPath: String, folder: String) throws -> [String: PreflightFinding] {
        let config = try ConfigParser.parse(try String(contentsOfFile: configPath, encoding: .utf8), path: configPath)
        let documents = SOPLinter.lint(SOPFiles.collect([folder + "/SOPs"]).0, config: config).documents
        XCTAssertEqual(documents.count, 1)
        let report = SOPPreflight.run(documents, settings: EngineAssembly.settings(config: config), registry: EngineAssembly.registry(conninfo: ""))
        return Dictionary(uniqueKeysWithValues: report.findings.map { ($0.step, $0) })
    }

    func testAStepThatCanBeSkippedSaysHowAndOnceSkippedIsNotAProblem() throws {
        let skippable = Self.sop.replacingOccurrences(of: "deployments WHERE created_at > now() - interval '1 hour'\"\n",
                                                      with: "deployments WHERE created_at > now() - interval '1 hour'\"\n    if_skipped: {n: 0}\n")
        XCTAssertNotEqual(skippable, Self.sop)
        let (config, folder) = try deployment(sop: skippable)
        let found = try preflight(config, folder: folder)
        XCTAssertEqual(found["recent_deploys"]?.problem, .missingRelation)
        XCTAssertTrue(found["recent_deploys"]?.detail.contains("skip the step: sop_parameters.skip_steps.deploy-check: [recent_deploys]") == true,
                      found["recent_deploys"]?.detail ?? "no finding")
        XCTAssertEqual(found["error_rate"]?.detail.contains("skip_steps"), false, "a step without if_skipped gets no such hint")
        prometheus?.stop()
        service?.stop()
        let (skippedConfig, skippedFolder) = try deployment(sop: skippable, extraConfig: """
            sop_parameters:
              skip_steps:
                deploy-check: [recent_deploys]
            """)
        let afterSkip = try preflight(skippedConfig, folder: skippedFolder)
        XCTAssertEqual(Set(afterSkip.keys), ["error_rate", "health"], "the skipped step is not run, so it cannot fail here")
    }

    func testTheLeaderRunsThePreflightAtStartAndMetricsCountIt() throws {
        let port = try TestSockets.freePort()
        let (config, _) = try deployment(listen: port)
        let (connection, store) = try TestPostgres.migratedConnection()
        defer { connection.close() }
        let engine = Process()
        engine.executableURL = URL(fileURLWithPath: try XCTUnwrap(OpsBrainBinary.path()))
        engine.arguments = ["engine", "--database-url", store, "--config", config]
        engine.standardOutput = FileHandle.nullDevice
        engine.standardError = FileHandle.nullDevice
        try engine.run()
        defer { engine.terminate(); engine.waitUntilExit() }
        let stored = try DatabasePolling.count(connection, "SELECT count(*) AS n FROM opsbrain_preflight_findings", timeout: 60) { $0 == 3 }
        XCTAssertEqual(stored, 3, "the leader stored the three findings")
        let metrics = try HTTPClient().send(HTTPRequest(url: "http://127.0.0.1:\(port)/metrics", timeout: .seconds(5)))
        XCTAssertTrue(metrics.bodyText(limit: 1 << 20).contains("opsbrain_preflight_problems 3"), metrics.bodyText(limit: 4096))
    }
}

/// A runbook for the preflight tests: only its diagnosis matters.
enum PreflightRunbook {
    static func text(diagnosis: String) -> String {
        """
        ---
        name: deploy-check
        category: data
        agent: data
        description: Checks that a preflight judges.
        severity: high
        risk: low
        auto_fix: false
        requires_approval: true
        trigger:
          alert_types: [deploy_check]
        \(diagnosis)
        fix: []
        verification:
          wait_before: 0s
          attempts: 1
          rerun_alert_check: false
          steps: []
        escalate_if:
          - when: "attempts >= 2"
            reason: too many attempts
        ---
        \(TestRunbooks.body)
        """
    }
}
