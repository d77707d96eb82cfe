import Foundation
import OpsBrainPlatform
import OpsBrainPostgres
import OpsBrainTestSupport
import XCTest

/// Malformed database URLs and conninfo strings never show their password, not even a piece of it:
/// not in `redacted`, not in libpq's connect errors (which quote what they could not read), not on the command line.
final class ConnectionStringTests: XCTestCase {
    /// Each string with the password its writer meant; libpq itself may read them otherwise.
    private let malformed: [(conninfo: String, password: String)] = [
        ("postgres://user:pZ Xq9@host:badport/db", "pZ Xq9"),
        ("postgresql://u:kW7vQ2xZ@[::1", "kW7vQ2xZ"),
        ("password=jQ8zVx3w host=", "jQ8zVx3w"),
        ("postgresql://u:zQ@xK9w@127.0.0.1:1/db", "zQ@xK9w"),
        ("postgresql://u:zQ/xK9w@127.0.0.1:1/db", "zQ/xK9w"),
        ("postgresql://u:sE%ZZcrQt@127.0.0.1:1/db", "sE%ZZcrQt"),
        ("host=127.0.0.1 port=1 password=jQ8 zVx3 dbname", "jQ8 zVx3"),
        ("postgresql://127.0.0.1:1/db?password=qZ8xW&sslmode=bogus", "qZ8xW"),
        ("postgresql://u:kW7vQ2xZ@127.0.0.1:1/db?application_name", "kW7vQ2xZ"),
    ]

    func testRedactedHidesThePasswordOfMalformedStrings() {
        XCTAssertEqual(ConnectionString.redacted("postgresql://app:pw@db:5432/app"), "postgresql://app:***@db:5432/app")
        XCTAssertEqual(ConnectionString.redacted("postgresql://u:p@ss@db/app"), "postgresql://u:***@db/app")
        XCTAssertEqual(ConnectionString.redacted("postgresql://u:pw@db/app?sslmode=require&password=x"),
                       "postgresql://u:***@db/app?sslmode=require&password=***")
        XCTAssertEqual(ConnectionString.redacted("host=db password='a b' user=x"), "host=db password='***' user=x")
        XCTAssertEqual(ConnectionString.redacted("postgresql://db/app"), "postgresql://db/app")
        for (conninfo, password) in malformed {
            XCTAssertNil(Self.piece(of: password, in: ConnectionString.redacted(conninfo)), conninfo)
        }
    }

    func testConnectErrorsHoldNoPieceOfThePassword() {
        for (conninfo, password) in malformed {
            XCTAssertThrowsError(try PostgresConnection(conninfo: conninfo), conninfo) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix("cannot connect to "), text)
                XCTAssertNil(Self.piece(of: password, in: text), "\(conninfo) → \(text)")
            }
        }
    }

    func testTheCommandLineNeverPrintsThePassword() throws {
        let binary = try XCTUnwrap(OpsBrainBinary.path(), "build the opsbrain executable first (swift build)")
        for (conninfo, password) in malformed {
            for command in [["db", "status"], ["db", "url"], ["db", "migrate"]] {
                let output = try ProcessRunner.run([binary] + command + ["--database-url", conninfo], timeout: .seconds(30))
                XCTAssertNil(Self.piece(of: password, in: output.stdout + output.stderr), "\(command) \(conninfo): \(output.stdout)\(output.stderr)")
            }
        }
    }

    /// The first piece (2 characters or more) of `password` found in `text`.
    static func piece(of password: String, in text: String) -> String? {
        let characters = Array(password)
        return (0..<(characters.count - 1)).map { String(characters[$0...($0 + 1)]) }.first(where: text.contains)
    }
}
