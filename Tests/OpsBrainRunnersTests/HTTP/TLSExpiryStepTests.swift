import Foundation
import OpsBrainCore
import OpsBrainPlatform
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// `tls_expiry` steps against a real `openssl s_server` with self-signed certificates made by the test.
final class TLSExpiryStepTests: XCTestCase {
    private var directory = ""
    private var server: Process?
    private var port = 0
    private let runner = HTTPStepRunner()

    override func setUpWithError() throws {
        directory = try TemporaryDirectory.make(prefix: "ob-tls")
        try makeCertificate("main", commonName: "opsbrain-test.local", days: 30)
        try makeCertificate("sni", commonName: "opsbrain-sni.local", days: 10)
        port = try TestSockets.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try XCTUnwrap(ProcessRunner.resolveExecutable("openssl")))
        process.arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-www", "-quiet",
                             "-cert", "\(directory)/main.crt", "-key", "\(directory)/main.key",
                             "-servername", "opsbrain-sni.local",
                             "-cert2", "\(directory)/sni.crt", "-key2", "\(directory)/sni.key"]
        process.standardInput = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        server = process
        XCTAssertTrue(LocalHTTPServer.waitForPort(port), "openssl s_server did not start on port \(port)")
    }

    override func tearDown() {
        server?.terminate()
        server?.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func makeCertificate(_ name: String, commonName: String, days: Int) throws {
        let output = try ProcessRunner.run([
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).crt",
            "-days", "\(days)", "-subj", "/O=Ops Brain Tests/CN=\(commonName)",
        ], timeout: .seconds(30))
        XCTAssertEqual(output.exitCode, 0, output.stderr)
    }

    private func run(_ target: TargetDefinition, timeout: Duration = .seconds(5)) -> StepResult {
        runner.run(HTTPFixtures.step(.tlsExpiry, target: target.name, timeout: timeout), context: HTTPFixtures.context([target]))
    }

    private func tlsTarget(port: Int? = nil, serverName: String? = nil) -> TargetDefinition {
        var fields: [String: JSONValue] = ["host": .string("127.0.0.1"), "port": .number(Double(port ?? self.port))]
        if let serverName { fields["server_name"] = .string(serverName) }
        return TargetDefinition(name: "app_tls", kind: .tls, fields: fields)
    }

    func testDaysLeftSubjectAndIssuerOfAThirtyDayCertificate() throws {
        let result = run(tlsTarget())
        XCTAssertNil(result.error)
        let days = try XCTUnwrap(result.values["days_left"]?.doubleValue)
        XCTAssertTrue((29...30).contains(days), "days_left \(days)")
        let subject = try XCTUnwrap(result.values["subject"]?.stringValue)
        XCTAssertTrue(subject.contains("opsbrain-test.local"), subject)
        // Self-signed: the issuer is the subject.
        XCTAssertEqual(result.values["issuer"]?.stringValue, subject)
    }

    func testHTTPSTargetIsReadFromItsURL() throws {
        let target = HTTPFixtures.target("app_https", url: "https://127.0.0.1:\(port)/health")
        let result = run(target)
        XCTAssertNil(result.error)
        XCTAssertTrue((29...30).contains(try XCTUnwrap(result.values["days_left"]?.doubleValue)))
    }

    func testServerNameSelectsTheCertificateBySNI() throws {
        let result = run(tlsTarget(serverName: "opsbrain-sni.local"))
        XCTAssertNil(result.error)
        XCTAssertTrue((9...10).contains(try XCTUnwrap(result.values["days_left"]?.doubleValue)))
        XCTAssertTrue(result.values["subject"]?.stringValue?.contains("opsbrain-sni.local") ?? false)
    }

    func testPlainHTTPTargetIsRefused() {
        let result = run(HTTPFixtures.target("app_api", url: "http://127.0.0.1:\(port)"))
        XCTAssertTrue(result.error?.contains("needs an https:// URL") ?? false, result.error ?? "")
    }

    func testNothingListeningFailsNamingTheTarget() throws {
        let result = run(tlsTarget(port: try TestSockets.freePort()))
        let error = result.error ?? ""
        XCTAssertTrue(error.contains("app_tls") && error.contains("127.0.0.1"), error)
    }

    func testServerThatDoesNotSpeakTLSFails() throws {
        let plain = try LocalHTTPServer()
        defer { plain.stop() }
        let result = run(tlsTarget(port: plain.port), timeout: .milliseconds(500))
        XCTAssertNotNil(result.error)
        XCTAssertTrue(result.values.isEmpty)
    }
}
