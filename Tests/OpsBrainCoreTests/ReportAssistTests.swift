import Foundation
@testable import OpsBrainCore
import XCTest

/// Strict schema validation of LLM answers, the prompts' schemas, and the monthly budget.
final class ReportAssistTests: XCTestCase {
    let schema = AssistantPrompts.diagnosis(alertDetails: "a", sopName: "s", diagnosisResults: .object([:])).schema

    func testEveryPromptSchemaIsStrict() {
        let alert = AlertSnapshot(alertType: "t", title: "x")
        let requests = [AssistantPrompts.matching(alert: alert, candidates: [("a", "b")]),
                        AssistantPrompts.diagnosis(alertDetails: "a", sopName: "s", diagnosisResults: .object([:])),
                        AssistantPrompts.reportProse(ReportFixtures.report), AssistantPrompts.learning([])]
        for request in requests {
            XCTAssertEqual(StrictJSONSchema.strictnessProblems(request.schema), [], request.schemaName)
        }
        let loose: JSONValue = .object(["type": .string("object"), "properties": .object(["a": .object(["type": .string("string")])])])
        XCTAssertEqual(StrictJSONSchema.strictnessProblems(loose),
                       ["$: every property must be required", "$: additionalProperties must be false"])
    }

    func testAConformingAnswerPasses() throws {
        let answer = try JSONValue(parsing: #"{"root_cause":"pool exhausted","confidence":80,"evidence":["idle=0"],"recommended_fix":"reset"}"#)
        XCTAssertEqual(StrictJSONSchema.violations(answer, schema: schema), [])
    }

    func testEveryKindOfViolationIsNamed() throws {
        let answer = try JSONValue(parsing: #"{"root_cause":7,"confidence":101.5,"evidence":"x","extra":true}"#)
        XCTAssertEqual(StrictJSONSchema.violations(answer, schema: schema), [
            "$: missing required property 'recommended_fix'",
            "$.confidence: expected integer, got a number",
            "$.evidence: expected array, got a string",
            "$: unexpected property 'extra'",
            "$.root_cause: expected string, got a number",
        ])
        let outOfRange = try JSONValue(parsing: #"{"root_cause":"x","confidence":150,"evidence":[],"recommended_fix":"y"}"#)
        XCTAssertEqual(StrictJSONSchema.violations(outOfRange, schema: schema), ["$.confidence: 150 is above the maximum of 100"])
        let match = AssistantPrompts.matching(alert: AlertSnapshot(alertType: "t", title: "x"), candidates: [("disk-filling", "d")])
        let unknown = try JSONValue(parsing: #"{"sop_name":"rm-rf","confidence":90,"reasoning":"r"}"#)
        XCTAssertEqual(StrictJSONSchema.violations(unknown, schema: match.schema), [#"$.sop_name: "rm-rf" is not one of the allowed values"#])
    }

    func testBudgetSkipsWithAVisibleNoteBeforeTheCapIsPassed() {
        let settings = LLMSettings(enabled: true, maxTokens: 500, inputPricePerMillion: 1_000, outputPricePerMillion: 2_000, monthlyBudgetUSD: 5)
        let budget = LLMBudget(settings: settings)
        let request = AssistantPrompts.reportProse(ReportFixtures.report)
        XCTAssertEqual(budget.cost(LLMUsage(promptTokens: 1_000, completionTokens: 500)), 2.0, accuracy: 1e-9)
        XCTAssertEqual(budget.decide(request, spentUSD: 0, spentTokens: 0), .allowed)
        let worst = budget.cost(budget.worstCase(request))
        XCTAssertEqual(budget.decide(request, spentUSD: 5 - worst, spentTokens: 0), .allowed)
        XCTAssertEqual(budget.decide(request, spentUSD: 5 - worst + 0.01, spentTokens: 0),
                       .skipped(note: String(format: "LLM skipped for report: monthly budget of $5.00 reached ($%.2f spent)", 5 - worst + 0.01)))
    }

    func testTokenBudgetAndPurposesAndOffByDefault() {
        let request = AssistantPrompts.reportProse(ReportFixtures.report)
        XCTAssertFalse(LLMSettings().enabled)
        XCTAssertEqual(LLMBudget(settings: LLMSettings()).decide(request, spentUSD: 0, spentTokens: 0),
                       .skipped(note: "LLM assist is off for report"))
        let tokens = LLMBudget(settings: LLMSettings(enabled: true, monthlyTokenBudget: 1_000))
        XCTAssertEqual(tokens.decide(request, spentUSD: 0, spentTokens: 900),
                       .skipped(note: "LLM skipped for report: monthly token budget of 1000 reached (900 used)"))
        let learningOnly = LLMBudget(settings: LLMSettings(enabled: true, purposes: [.learning]))
        XCTAssertEqual(learningOnly.decide(request, spentUSD: 0, spentTokens: 0), .skipped(note: "LLM assist is off for report"))
        XCTAssertEqual(LLMBudget.month(of: Date(timeIntervalSince1970: 1_795_759_200)), "2026-11")
    }
}
