import OpsBrainRunners
import OpsBrainTestSupport
import XCTest

/// A test case with its own `redis-server`, started for the first test of the class, emptied
/// before every test, and stopped when the class is done.
class RedisServerTestCase: XCTestCase {
    nonisolated(unsafe) private static var servers: [ObjectIdentifier: RedisTestServer] = [:]

    /// The password the class's server requires (nil: none).
    class var serverPassword: String? { nil }

    /// This class's server.
    var server: RedisTestServer!

    override func setUpWithError() throws {
        try super.setUpWithError()
        let key = ObjectIdentifier(type(of: self))
        if Self.servers[key] == nil {
            Self.servers[key] = try RedisTestServer(password: type(of: self).serverPassword)
        }
        server = Self.servers[key]
        try server.client().command(["FLUSHALL"])
    }

    override class func tearDown() {
        servers.removeValue(forKey: ObjectIdentifier(self))?.stop()
        super.tearDown()
    }
}
