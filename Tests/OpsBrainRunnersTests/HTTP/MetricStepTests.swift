import OpsBrainCore
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// `metric` steps against a local server answering like Prometheus' `/api/v1/query`.
final class MetricStepTests: XCTestCase {
    private var server: LocalHTTPServer!
    private let runner = HTTPStepRunner()

    override func setUpWithError() throws {
        server = try LocalHTTPServer()
    }

    override func tearDown() {
        server.stop()
    }

    private func run(_ query: String, kind: TargetKind = .prometheus, timeout: Duration = .seconds(5)) -> StepResult {
        let target = HTTPFixtures.target("prometheus", kind, url: server.baseURL)
        return runner.run(HTTPFixtures.step(.metric, target: "prometheus", timeout: timeout, ["query": .string(query)]),
                          context: HTTPFixtures.context([target]))
    }

    func testFirstVectorSampleIsTheValue() {
        server.respond(to: "/api/v1/query", with: .json("""
            {"status":"success","data":{"resultType":"vector","result":[
              {"metric":{"job":"api"},"value":[1700000000.123,"0.25"]},
              {"metric":{"job":"web"},"value":[1700000000.123,"9"]}]}}
            """))
        let result = run("sum by (job) (rate(http_errors_total{code=~\"5..\"}[5m]))")
        XCTAssertNil(result.error)
        XCTAssertEqual(result.values, ["value": .number(0.25)])
        let request = server.requests.first
        XCTAssertEqual(request?.method, "GET")
        XCTAssertEqual(request?.path,
                       "/api/v1/query?query=sum%20by%20%28job%29%20%28rate%28http_errors_total%7Bcode%3D~%225..%22%7D%5B5m%5D%29%29")
    }

    func testScalarResultIsTheValue() {
        server.respond(to: "/api/v1/query", with: .json(#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"42"]}}"#))
        XCTAssertEqual(run("scalar(up)").values["value"], JSONValue.number(42))
    }

    func testEmptyResultIsAnError() {
        server.respond(to: "/api/v1/query", with: .json(#"{"status":"success","data":{"resultType":"vector","result":[]}}"#))
        let result = run("up{job=\"none\"}")
        XCTAssertTrue(result.error?.contains("no result") ?? false, result.error ?? "")
        XCTAssertTrue(result.values.isEmpty)
    }

    func testQueryErrorIsReported() {
        server.respond(to: "/api/v1/query", with: .json(
            #"{"status":"error","errorType":"bad_data","error":"parse error: unexpected end of input"}"#, status: 400))
        let result = run("rate(")
        let error = result.error ?? ""
        XCTAssertTrue(error.contains("bad_data") && error.contains("parse error") && error.contains("prometheus"), error)
    }

    func testNonJSONAnswerIsReported() {
        server.respond(to: "/api/v1/query", with: .init(status: 502, body: "<html>bad gateway</html>"))
        let error = run("up").error ?? ""
        XCTAssertTrue(error.contains("HTTP 502"), error)
    }

    func testNaNIsNotAValue() {
        server.respond(to: "/api/v1/query", with: .json(#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"NaN"]}]}}"#))
        XCTAssertTrue(run("0/0").error?.contains("NaN") ?? false)
    }

    func testOnlyPrometheusTargetsAreQueried() {
        let result = run("up", kind: .http)
        XCTAssertTrue(result.error?.contains("expected prometheus") ?? false, result.error ?? "")
        XCTAssertTrue(server.requests.isEmpty)
    }

    func testSlowPrometheusTimesOut() {
        server.respond(to: "/api/v1/query", with: .init(body: "{}", delay: .seconds(5)))
        let result = run("up", timeout: .milliseconds(200))
        XCTAssertTrue(result.error?.contains("timed out") ?? false, result.error ?? "")
    }
}
