import Foundation
import OpsBrainSandbox
import XCTest

final class IntegrationTokenTests: XCTestCase {
    func testAFreshTokenIsAcceptedAndAnOldOneHasExpired() {
        let now = Date()
        XCTAssertNil(IntegrationToken.problem(with: IntegrationToken.issue(secret: "s3cret", now: now), secret: "s3cret", now: now))
        let old = IntegrationToken.issue(secret: "s3cret", now: now.addingTimeInterval(-7200))
        XCTAssertEqual(IntegrationToken.problem(with: old, secret: "s3cret", now: now), "token_expired")
    }

    func testForgedMalformedAndMissingTokensAreRefused() {
        let token = IntegrationToken.issue(secret: "s3cret")
        XCTAssertEqual(IntegrationToken.problem(with: token, secret: "other"), "invalid_token")
        let parts = token.split(separator: ".")
        let extended = "sbx.\(Int(parts[1])! + 86400).\(parts[2])"
        XCTAssertEqual(IntegrationToken.problem(with: extended, secret: "s3cret"), "invalid_token", "the expiry is signed")
        XCTAssertEqual(IntegrationToken.problem(with: "garbage", secret: "s3cret"), "invalid_token")
        XCTAssertEqual(IntegrationToken.problem(with: nil, secret: "s3cret"), "missing_token")
    }
}

final class FaultScheduleTests: XCTestCase {
    func testFaultsComeInTurnAndAHumansFaultIsRepairedAfterTheEscalation() throws {
        let catalogue = FaultCatalogue.all(SandboxLayout())
        let faults = try ["temp-flood", "human-transaction", "app-crash"].map(catalogue.named)
        let events = FaultSchedule(faults: faults, delay: 10, every: 60, repairAfter: 420).events
        let described = events.map { event -> String in
            switch event.action {
            case .inject(let fault): return "\(Int(event.at)) inject \(fault.name)"
            case .repairByHand(let fault): return "\(Int(event.at)) repair \(fault.name)"
            }
        }
        XCTAssertEqual(described, ["10 inject temp-flood", "70 inject human-transaction", "130 inject app-crash",
                                   "490 repair human-transaction"])
    }
}
