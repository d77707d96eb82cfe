import Foundation
@testable import OpsBrainCore
import XCTest

/// Predicted issues from samples, and the cost watch.
final class ReportPredictionTests: XCTestCase {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let predictor = Predictor(settings: ReportSettings(predictionHorizonDays: 14, usageThresholds: [80, 90], tlsWarningDays: 21))

    private func series(_ probe: String, _ values: [Double], every step: TimeInterval, labels: [String: String]) -> [ProbeSample] {
        values.enumerated().map { index, value in
            ProbeSample(probe: probe, at: now.addingTimeInterval(-Double(values.count - 1 - index) * step), value: value, labels: labels)
        }
    }

    func testDiskTrendReachesTheNextThresholdWithinTheHorizon() throws {
        // +2 points a day from 70: 80% in 5 days.
        let samples = series("disk", [60, 62, 64, 66, 68, 70], every: 86_400, labels: ["kind": "usage", "name": "Root disk"])
        let prediction = try XCTUnwrap(predictor.predict(samples).first)
        XCTAssertEqual(prediction.kind, .trendToThreshold)
        XCTAssertEqual(prediction.threshold, 80)
        XCTAssertEqual(prediction.secondsUntil ?? 0, 5 * 86_400, accuracy: 60)
        XCTAssertEqual(prediction.message, "Root disk at 70%, reaches 80% in ~5 days at the current rate")
        XCTAssertEqual(prediction.severity, .low)
    }

    func testAlreadyOverAThresholdSaysSoAndGivesTheNext() throws {
        let samples = series("db", [80, 82, 84, 86], every: 86_400, labels: ["unit": "percent", "name": "Database storage"])
        let prediction = try XCTUnwrap(predictor.predict(samples).first)
        XCTAssertEqual(prediction.kind, .overThreshold)
        XCTAssertEqual(prediction.message, "Database storage at 86%, over 80%; reaches 90% in ~2 days")
    }

    func testFlatOrFallingUsageAndTooShortSeriesPredictNothing() {
        XCTAssertTrue(predictor.predict(series("flat", [70, 70, 70, 70], every: 86_400, labels: ["kind": "usage"])).isEmpty)
        XCTAssertTrue(predictor.predict(series("down", [75, 73, 71, 69], every: 86_400, labels: ["kind": "usage"])).isEmpty)
        XCTAssertTrue(predictor.predict(series("short", [10, 50, 79], every: 60, labels: ["kind": "usage"])).isEmpty,
                      "three points in two minutes are no trend")
        XCTAssertTrue(predictor.predict(series("slow", [50, 50.1, 50.2, 50.3], every: 86_400, labels: ["kind": "usage"])).isEmpty,
                      "beyond the horizon")
    }

    func testTLSExpiryWithinTheWarningWindow() {
        let predictions = predictor.predict([
            ProbeSample(probe: "tls_a", at: now, value: 5.5, labels: ["kind": "tls_expiry", "name": "api.example.com"]),
            ProbeSample(probe: "tls_b", at: now, value: 60, labels: ["kind": "tls_expiry", "name": "www.example.com"]),
        ])
        XCTAssertEqual(predictions.map(\.message), ["TLS certificate api.example.com expires in 5 days"])
        XCTAssertEqual(predictions.first?.severity, .high)
    }

    func testQueueGrowthWithAndWithoutALimit() {
        let growing = series("jobs", [100, 180, 260, 340, 420], every: 3600, labels: ["kind": "queue", "name": "Job queue"])
        XCTAssertEqual(predictor.predict(growing).first?.message, "Job queue keeps growing: 420 now, about +80/h")
        let limited = series("jobs", [100, 180, 260, 340, 420], every: 3600, labels: ["kind": "queue", "name": "Job queue", "threshold": "1000"])
        XCTAssertEqual(predictor.predict(limited).first?.message, "Job queue at 420, reaches 1000 in ~7 hours at the current rate")
    }

    func testCostWatchCallsASpikeAgainstTheUsualSpend() {
        let costs = CostWatch.lines(series("openai", [10, 11, 10, 12, 25], every: 86_400, labels: ["kind": "cost", "service": "OpenAI"])
            + series("twilio", [8, 8.2], every: 86_400, labels: ["kind": "cost", "service": "Twilio", "currency": "EUR"])
            + [ProbeSample(probe: "new", at: now, value: 1, labels: ["kind": "cost", "service": "Deepgram"])])
        XCTAssertEqual(costs.map(\.name), ["Deepgram", "OpenAI", "Twilio"])
        XCTAssertEqual(costs.map(\.note), ["no history yet", "spike: 2.4× usual", "normal"])
        XCTAssertEqual(DailyReportRenderer.money(costs[2]), "Twilio: €8.20")
    }
}
