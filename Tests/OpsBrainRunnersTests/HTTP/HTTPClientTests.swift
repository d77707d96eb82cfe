import Foundation
import OpsBrainCore
import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// The libcurl client itself, and how URLs are joined and shown.
final class HTTPClientTests: XCTestCase {
    private var server: LocalHTTPServer!
    private let client = HTTPClient()

    override func setUpWithError() throws {
        server = try LocalHTTPServer()
    }

    override func tearDown() {
        server.stop()
    }

    func testBodyBeyondOneMebibyteIsCutAndFlagged() throws {
        server.respond(to: "/huge", with: .init(bytes: [UInt8](repeating: 65, count: 3 << 20)))
        let response = try client.send(HTTPRequest(url: server.baseURL + "/huge"))
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.truncated)
        XCTAssertEqual(response.body.count, HTTPClient.responseLimit)
    }

    func testBodyWithinTheLimitIsWhole() throws {
        server.respond(to: "/small", with: .init(body: "hello", headers: ["X-Trace": "abc"]))
        let response = try client.send(HTTPRequest(url: server.baseURL + "/small"))
        XCTAssertFalse(response.truncated)
        XCTAssertEqual(response.body, Array("hello".utf8))
        XCTAssertEqual(response.headers["x-trace"], "abc")
        XCTAssertEqual(response.headers["content-length"], "5")
    }

    func testRedirectsOnlyWhenAsked() throws {
        server.respond(to: "/old", with: .init(status: 302, headers: ["Location": "/new"]))
        server.respond(to: "/new", with: .init(body: "here"))
        let unfollowed = try client.send(HTTPRequest(url: server.baseURL + "/old"))
        XCTAssertEqual(unfollowed.status, 302)
        let followed = try client.send(HTTPRequest(url: server.baseURL + "/old", followRedirects: true))
        XCTAssertEqual(followed.status, 200)
        XCTAssertEqual(followed.body, Array("here".utf8))
    }

    func testOtherMethodsCarryTheirBody() throws {
        server.respond(to: "/flags/x", with: .init(status: 204))
        let response = try client.send(HTTPRequest(method: "PUT", url: server.baseURL + "/flags/x", body: Array("on".utf8)))
        XCTAssertEqual(response.status, 204)
        XCTAssertEqual(server.requests.first?.method, "PUT")
        XCTAssertEqual(server.requests.first?.bodyText, "on")
    }

    func testUnknownMethodIsRefusedBeforeSending() {
        XCTAssertThrowsError(try client.send(HTTPRequest(method: "TRACE", url: server.baseURL))) { error in
            XCTAssertTrue("\(error)".contains("unsupported method"), "\(error)")
        }
        XCTAssertTrue(server.requests.isEmpty)
    }

    func testGetWithABodyIsRefusedRatherThanSentAsPost() {
        XCTAssertThrowsError(try client.send(HTTPRequest(method: "GET", url: server.baseURL, body: Array("x".utf8)))) { error in
            XCTAssertTrue("\(error)".contains("cannot carry a body"), "\(error)")
        }
        XCTAssertTrue(server.requests.isEmpty)
    }

    func testHeaderWithALineBreakIsRefusedWithoutItsValue() {
        let request = HTTPRequest(url: server.baseURL, headers: ["X-Token": "abc\r\nX-Evil: 1"])
        XCTAssertThrowsError(try client.send(request)) { error in
            XCTAssertTrue("\(error)".contains("X-Token"), "\(error)")
            XCTAssertFalse("\(error)".contains("abc"), "\(error)")
        }
    }

    func testOnlyHTTPAndHTTPSAreSpoken() {
        XCTAssertThrowsError(try client.send(HTTPRequest(url: "file:///etc/passwd"))) { error in
            XCTAssertTrue("\(error)".contains("file:///etc/passwd"), "\(error)")
        }
    }

    func testFailuresHideCredentialsAndQueryValues() throws {
        let port = try TestSockets.freePort()
        let url = "http://admin:hunter2@127.0.0.1:\(port)/x?api_key=abc123&q=1"
        XCTAssertThrowsError(try client.send(HTTPRequest(url: url))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("GET http://127.0.0.1:\(port)/x?api_key=***&q=***: "), text)
            XCTAssertFalse(text.contains("hunter2") || text.contains("abc123"), text)
        }
    }

    func testManyThreadsCanSendAtOnce() {
        server.respond(to: "/n", with: .init(body: "x", delay: .milliseconds(50)))
        let statuses = StatusLog()
        let (client, url) = (client, server.baseURL + "/n")
        DispatchQueue.concurrentPerform(iterations: 12) { _ in
            statuses.add((try? client.send(HTTPRequest(url: url)))?.status ?? 0)
        }
        XCTAssertEqual(statuses.all, Array(repeating: 200, count: 12))
        XCTAssertEqual(server.requests.count, 12)
    }

    func testPathsJoinWithoutChangingTheHost() {
        XCTAssertEqual(URLText.join("http://h:1/admin/", "/cdn"), "http://h:1/admin/cdn")
        XCTAssertEqual(URLText.join("http://h:1", "health"), "http://h:1/health")
        XCTAssertEqual(URLText.join("http://h:1", "@evil.example/x"), "http://h:1/@evil.example/x")
        XCTAssertEqual(URLText.join("http://h:1/v1?key=k", "/q?x=1"), "http://h:1/v1/q?x=1&key=k")
        XCTAssertEqual(URLText.join("http://h:1/v1", nil), "http://h:1/v1")
    }

    func testQueryValuesArePercentEncoded() {
        XCTAssertEqual(URLText.percentEncoded("rate(x{job=\"a b\"}[5m])"), "rate%28x%7Bjob%3D%22a%20b%22%7D%5B5m%5D%29")
        XCTAssertEqual(URLText.percentEncoded("é"), "%C3%A9")
    }
}

/// Statuses collected from several threads.
private final class StatusLog: @unchecked Sendable {
    private let lock = NSLock()
    private var statuses: [Int] = []

    func add(_ status: Int) { lock.withLock { statuses.append(status) } }
    var all: [Int] { lock.withLock { statuses } }
}
