import Foundation
import OpsBrainApp
import OpsBrainCore
import OpsBrainIntake
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// The bad-input corpus: each file under Corpus/ is one connection's raw bytes, and
/// Corpus/manifest.tsv says what the server must answer, whether it keeps the connection, and
/// why the case is there. The intake server under test is the real one, with a bearer token and
/// a real PostgreSQL; after the corpus it must still serve, having stored only the valid alerts.
final class BadInputCorpusTests: XCTestCase {
    /// One line of the manifest.
    struct Case {
        enum Connection: String {
            /// The server answers and closes.
            case closes
            /// The server answers and keeps serving the connection.
            case open
            /// The client half-closes after its bytes (a truncated request).
            case halfClosed = "half-closed"
        }

        var file: String
        var statuses: [Int]
        var connection: Connection
        var why: String
    }

    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")
    static let token = "corpus-token"

    private var server: HTTPServer?
    private var connection: PostgresConnection!

    override func tearDown() {
        server?.stop()
        connection?.close()
    }

    static func manifest() throws -> [Case] {
        let text = try String(contentsOf: corpus.appendingPathComponent("manifest.tsv"), encoding: .utf8)
        return try text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4, let connection = Case.Connection(rawValue: fields[2]) else {
                throw XCTSkip("manifest line is not file<TAB>statuses<TAB>closes|open|half-closed<TAB>why: \(line)")
            }
            let statuses = fields[1] == "-" ? [] : fields[1].split(separator: ",").compactMap { Int($0) }
            return Case(file: fields[0], statuses: statuses, connection: connection, why: fields[3])
        }
    }

    private func startServer() throws {
        let (connection, url) = try TestPostgres.migratedConnection()
        self.connection = connection
        var config = OpsBrainConfig()
        config.engine.apiTokenEnv = "CORPUS_TOKEN"
        var limits = HTTPServer.Limits()
        limits.maxBodyBytes = 64 * 1024
        limits.readTimeout = .seconds(2)
        server = try IntakeAssembly.start(listen: "127.0.0.1:0", config: config, conninfo: url, metrics: MetricsRegistry(),
                                          isLeader: { true }, environment: ["CORPUS_TOKEN": Self.token], limits: limits)
    }

    func testEveryCorpusCaseGetsItsAnswerAndTheServerKeepsServing() throws {
        try startServer()
        let cases = try Self.manifest()
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).filter { $0.hasSuffix(".http") }
        XCTAssertEqual(Set(files), Set(cases.map(\.file)), "every corpus file has a manifest line and every line a file")
        for item in cases {
            let bytes = try [UInt8](Data(contentsOf: Self.corpus.appendingPathComponent(item.file)))
            check(item, observed: try play(bytes, item))
        }
        let health = try RawConnection(port: server!.port)
        health.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(health.answers(1).first?.status, 200, "the server still serves after the corpus")
        let stored = try connection.query("SELECT alert_type FROM intelligence_alerts ORDER BY 1").rows.compactMap { $0.string("alert_type") }
        XCTAssertEqual(stored, ["corpus_test"], "only the valid webhooks stored an alert (the chunked one repeats the same alert)")
    }

    /// What one connection saw: the answers' statuses and whether the server closed it.
    struct Observed {
        var statuses: [Int]
        var closed: Bool
        var followUp: Int?
    }

    private func play(_ bytes: [UInt8], _ item: Case) throws -> Observed {
        let raw = try RawConnection(port: server!.port)
        raw.send(bytes)
        if item.connection == .halfClosed { raw.finishSending() }
        var statuses = raw.answers(item.statuses.count, timeout: .seconds(4)).map(\.status)
        var followUp: Int?
        if item.connection == .open && !raw.closedByPeer {
            raw.send("GET /api/v1/follow-up HTTP/1.1\r\nHost: x\r\n\r\n")
            followUp = raw.answers(1, timeout: .seconds(4)).first.map {
                String(decoding: $0.body, as: UTF8.self).contains("follow-up") ? $0.status : -$0.status
            }
        }
        let closed = raw.closedByPeer || (item.connection != .open && raw.waitForClose(timeout: .seconds(4)))
        statuses += raw.answers(8, timeout: .zero).map(\.status)
        return Observed(statuses: statuses, closed: closed, followUp: followUp)
    }

    private func check(_ item: Case, observed: Observed) {
        let label = "\(item.file) (\(item.why))"
        XCTAssertEqual(observed.statuses, item.statuses, "answers to \(label)")
        switch item.connection {
        case .closes, .halfClosed:
            XCTAssertTrue(observed.closed, "the server closes the connection after \(label)")
        case .open:
            XCTAssertFalse(observed.closed, "the connection stays open after \(label)")
            XCTAssertEqual(observed.followUp, 404, "the next request on the connection is answered as itself after \(label)")
        }
    }
}
