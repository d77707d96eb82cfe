import Foundation
import OpsBrainCore
import XCTest

/// Deterministic matching: trigger rules decide, similarity ranks.
final class MatcherTests: XCTestCase {
    private func sop(_ name: String, types: [String] = [], titles: [String] = [], labels: [String: LabelMatcher] = [:],
                     severityMin: Severity? = nil, description: String = "") -> SOPDefinition {
        SOPDefinition(name: name, category: "x", agent: .infra, description: description, severity: .high, risk: .low,
                      trigger: TriggerRule(alertTypes: types, titlePatterns: titles, labels: labels, severityMin: severityMin),
                      diagnosis: [])
    }

    func testTypeTitleLabelsAndSeverity() {
        let matcher = Matcher(sops: [
            sop("disk-filling", types: ["disk_usage_high"], description: "Disk filling up on a host"),
            sop("twilio-sms-delivery-low", titles: ["(?i)sms delivery"], severityMin: .medium, description: "SMS delivery rate low"),
            sop("web-only", types: ["http_5xx"], labels: ["service": .equals("web"), "instance": .matches("^web-[0-9]+$")]),
        ])
        XCTAssertEqual(matcher.bestMatch(for: AlertSnapshot(alertType: "disk_usage_high", title: "Disk 95% on db-1"))?.sopName, "disk-filling")
        let sms = matcher.bestMatch(for: AlertSnapshot(alertType: "business_metric", title: "SMS Delivery rate 71%", severity: .high))
        XCTAssertEqual(sms?.sopName, "twilio-sms-delivery-low")
        XCTAssertEqual(sms?.reasons, ["title pattern"])
        XCTAssertNil(matcher.bestMatch(for: AlertSnapshot(alertType: "business_metric", title: "SMS delivery rate 71%", severity: .low)),
                     "below severity_min")
        XCTAssertNil(matcher.bestMatch(for: AlertSnapshot(alertType: "http_5xx", title: "5xx", labels: ["service": "web", "instance": "db-1"])))
        XCTAssertEqual(matcher.bestMatch(for: AlertSnapshot(alertType: "http_5xx", title: "5xx",
                                                            labels: ["service": "web", "instance": "web-12"]))?.sopName, "web-only")
        XCTAssertNil(matcher.bestMatch(for: AlertSnapshot(alertType: "mystery", title: "Something odd")), "unknown path")
    }

    func testTypeAndTitleScoreHigherAndSimilarityRanksTies() {
        let matcher = Matcher(sops: [
            sop("generic-5xx", types: ["http_errors"], description: "Generic errors"),
            sop("checkout-5xx", types: ["http_errors"], titles: ["(?i)checkout"], description: "Checkout endpoint errors"),
        ])
        let candidates = matcher.candidates(for: AlertSnapshot(alertType: "http_errors", title: "Checkout endpoint errors rising"))
        XCTAssertEqual(candidates.map(\.sopName), ["checkout-5xx", "generic-5xx"])
        XCTAssertGreaterThan(candidates[0].score, candidates[1].score)
        XCTAssertLessThanOrEqual(candidates[0].score, 100)
    }

    func testBestMatchAgreesWithTheFullRanking() {
        let sops = (0..<300).map { sop("sop-\($0)", types: ["t\($0 % 11)"], titles: ["(?i)service \($0 % 13) (down|slow)", "(?i)node.*\($0 % 5)"],
                                       description: "service \($0 % 13) node \($0 % 7)") }
        let matcher = Matcher(sops: sops)
        for index in 0..<200 {
            let alert = AlertSnapshot(alertType: "t\(index % 17)", title: "Service \(index % 19) down on node-\(index % 9)")
            XCTAssertEqual(matcher.bestMatch(for: alert), matcher.candidates(for: alert).first, alert.title)
        }
    }

    func testMatchingIsDeterministicAcrossRuns() {
        let sops = (0..<200).map { sop("sop-\($0)", types: ["t\($0 % 7)"], titles: ["(?i)service \($0 % 5)"]) }
        let alert = AlertSnapshot(alertType: "t3", title: "Service 2 down")
        let first = Matcher(sops: sops).candidates(for: alert)
        XCTAssertEqual(Matcher(sops: sops.reversed()).candidates(for: alert), first)
        XCTAssertFalse(first.isEmpty)
    }
}

/// The literal analysis that lets the matcher skip regexes: conservative, never wrong.
final class PatternLiteralsTests: XCTestCase {
    func testRequiredStrings() {
        XCTAssertEqual(PatternLiterals.anyOf("(?i)sms delivery"), ["sms delivery"])
        XCTAssertEqual(PatternLiterals.anyOf("(?i)(temp|tmp) (dir(ectory)?|folder|files?).*(grow|large)"), ["grow", "large"])
        XCTAssertEqual(PatternLiterals.anyOf("(?i)checkout.*5\\d\\d"), ["checkout"])
        XCTAssertEqual(PatternLiterals.anyOf("disk usage (is|was) high"), ["disk usage "])
        XCTAssertNil(PatternLiterals.anyOf("(?i)^5\\d\\d"), "no certain string")
        XCTAssertNil(PatternLiterals.anyOf("(foo)?\\d+"), "an optional group requires nothing")
        XCTAssertNil(PatternLiterals.anyOf("(abc|\\d+)"), "one alternative without a string")
        XCTAssertNil(PatternLiterals.anyOf("(?=abc)x"), "lookarounds require nothing")
    }

    func testEveryMatchContainsOneOfTheStrings() throws {
        let cases: [(String, [String])] = [
            ("(?i)(temp|tmp) (dir(ectory)?|folder|files?).*(grow|large)", ["TMP folder is too large", "temp files growing"]),
            ("(?i)twilio .*(delivery|undelivered)", ["Twilio SMS undelivered spike"]),
            ("error rate ab+c", ["error rate abbbc"]),
        ]
        for (pattern, titles) in cases {
            let literals = try XCTUnwrap(PatternLiterals.anyOf(pattern), pattern)
            let regex = try NSRegularExpression(pattern: pattern)
            for title in titles {
                XCTAssertNotNil(regex.firstMatch(in: title, range: NSRange(title.startIndex..., in: title)), title)
                XCTAssertTrue(literals.contains { title.lowercased().contains($0) }, "\(pattern) / \(title) / \(literals)")
            }
        }
    }
}
