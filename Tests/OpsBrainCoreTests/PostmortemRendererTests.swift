import Foundation
@testable import OpsBrainCore
import XCTest

/// The incident timeline and its postmortem draft, from a fixed incident (`IncidentFixtures`).
final class PostmortemRendererTests: XCTestCase {
    private let timeline = IncidentFixtures.timeline

    func testStagesAreTheFirstTimeEachWasReachedWithTheTimeSinceTheAlertAndTheStageBefore() {
        let stages = timeline.stages
        XCTAssertEqual(stages.map(\.stage), [.alert, .diagnosis, .decision, .approval, .fix, .closed], "nothing verified: no verified stage")
        XCTAssertEqual(stages.map(\.sinceAlert), [0, 2, 5, 390, 400, 600])
        XCTAssertEqual(stages.map(\.sincePrevious), [0, 2, 3, 385, 10, 200])
    }

    func testAnOpenIncidentHasNoClosedStageAndSaysSo() {
        var open = timeline
        open.executions[0].status = .verifying
        open.executions[0].verifiedAt = nil
        XCTAssertTrue(open.isOpen)
        XCTAssertNil(open.closedAt)
        XCTAssertFalse(open.stages.contains { $0.stage == .closed })
        XCTAssertTrue(PostmortemRenderer(open).markdown().contains("- **Still open:** a run has not finished\n"))
    }

    func testADryRunAPersonStartedMeanwhileMovesNoStage() {
        var withDryRun = timeline
        var dryRun = IncidentFixtures.run
        dryRun.id = UUID()
        dryRun.dryRun = true
        dryRun.status = .dryRun
        dryRun.approval = nil
        dryRun.fixStartedAt = nil
        dryRun.decidedAt = IncidentFixtures.at(1)
        dryRun.completedAt = IncidentFixtures.at(900)
        withDryRun.executions.append(dryRun)
        XCTAssertEqual(withDryRun.stages, timeline.stages)
        XCTAssertTrue(PostmortemRenderer(withDryRun).markdown().contains("disk-cleanup v3 (dry run), request_approval"))
    }

    func testEntriesMergeEverythingInTimeOrder() {
        let entries = timeline.entries
        XCTAssertEqual(entries.map(\.at), entries.map(\.at).sorted())
        XCTAssertEqual(entries.first?.text, "alert fired: \"Disk | full on web-1\" (high, disk_full from alertmanager, seen 2 times)")
        let atDecision = entries.filter { $0.at == IncidentFixtures.at(5) }.map(\.kind)
        XCTAssertEqual(atDecision, [.audit, .approvalRequested], "the same instant keeps audit before approval")
        XCTAssertTrue(entries.contains { $0.kind == .alertJoined && $0.text == "alert \"Disk full on web-2\" joined run 3d9f2ef4 (storm)" })
        XCTAssertTrue(entries.contains {
            $0.kind == .step && $0.text == "verification/disk_usage #2 failed: free_bytes 1024, used_percent 94 (expected < 90) ✗"
        })
        XCTAssertTrue(entries.contains { $0.kind == .approvalDecided && $0.text == "approval approved by ana from 10.0.0.5" })
        XCTAssertTrue(entries.contains {
            $0.kind == .notification && $0.text == "pushover post (escalation) attempt 1: failed, HTTP 400: invalid user key"
        })
        XCTAssertEqual(entries.filter { $0.kind == .step }.count, 7)
    }

    func testMarkdownHasEverySectionInOrder() {
        let markdown = PostmortemRenderer(timeline).markdown()
        let headings = markdown.split(separator: "\n").filter { $0.hasPrefix("#") }.map(String.init)
        XCTAssertEqual(headings, ["# Postmortem draft: Disk \\| full on web-1", "## Summary", "## Timeline", "## What ran",
                                  "### Run 3d9f2ef4: disk-cleanup v3, escalated", "## The evidence", "## Who decided",
                                  "## Time to each stage", "## SOP", "## Open questions"])
    }

    func testMarkdownShowsWhatRanTheEvidenceWhoDecidedAndTheTimes() {
        let markdown = PostmortemRenderer(timeline).markdown()
        for line in [
            "- **Alert:** Disk \\| full on web-1 (high, `disk_full` from alertmanager), fired 2026-11-27T03:00:00.000Z, seen 2 times, "
                + "resolved 2026-11-27T03:10:15.000Z",
            "- **Other alerts:** 1 joined as a storm, 0 fired again",
            "- **Run `3d9f2ef4`:** disk-cleanup v3, request_approval (confidence 62), 2 of 2 fix attempt(s), **escalated**: "
                + "fix did not verify after 2 attempt(s); rolled back: undid clean_tmp, clean_tmp",
            "- **From alert to closed:** 10 min 00 s",
            "| 03:06:30 | 3d9f2ef4 | approval_decided | approval approved by ana from 10.0.0.5 |",
            "| fix | `clean_tmp` | 2 | succeeded | 03:07:50 | 03:07:52 | Moved 12 files to quarantine |",
            "| rollback | `clean_tmp` | 1 | succeeded | 03:09:55 | 03:09:57 | Restored 1,204 files |",
            "- Run 3d9f2ef4, diagnosis `disk_usage` #0 (Disk usage of /var), **failed**: free_bytes 1024; used_percent 97 (expected < 90) ✗",
            "- Run 3d9f2ef4: the engine decided `request_approval` at 03:00:05 with confidence 62 (mode approval)",
            "- Run 3d9f2ef4: approval asked at 03:00:05 because medium-risk fix needs approval; **approved by ana from 10.0.0.5** "
                + "at 03:06:30 after 6 min 25 s",
            "  - would run: clean_tmp: delete files older than 1d under /var/tmp",
            "| approval decided | 03:06:30 | 6 min 30 s | 6 min 25 s |",
            "| closed | 03:10:00 | 10 min 00 s | 3 min 20 s |",
            "- `disk-cleanup` version 3",
        ] {
            XCTAssertTrue(markdown.contains(line + "\n"), "missing line '\(line)' in:\n\(markdown)")
        }
    }

    func testOpenQuestionsAskAboutWhatWentOtherThanPlanned() {
        let questions = PostmortemRenderer(timeline).openQuestions
        XCTAssertEqual(questions.first, "What was the root cause, beyond what the checks saw?")
        XCTAssertEqual(questions.last, "What would have prevented it, or caught it earlier?")
        for fragment in ["applied its fix 2 times", "rolled back clean_tmp", "ended escalated", "waited 6 min 25 s for approval",
                         "Notifications failed on pushover", "1 alert(s) joined as a storm"] {
            XCTAssertTrue(questions.contains { $0.contains(fragment) }, "no question about '\(fragment)': \(questions)")
        }
        XCTAssertTrue(PostmortemRenderer(timeline).markdown().contains("- [ ] What was the root cause, beyond what the checks saw?\n"))
    }

    func testJSONHasSortedKeysISOTimesLowercaseIDsAndTheStages() throws {
        let text = PostmortemRenderer(timeline).json()
        let json = try JSONValue(parsing: text)
        XCTAssertEqual(json["format"], .string("opsbrain.incident/1"))
        XCTAssertEqual(json["primary_alert_id"], .string("a1a1a1a1-0000-4000-8000-000000000001"))
        let run = try XCTUnwrap(json["executions"]?.arrayValue?.first)
        XCTAssertEqual(run["started_at"], .string("2026-11-27T03:00:01.000Z"))
        XCTAssertEqual(run["decision"], .string("request_approval"))
        XCTAssertEqual(run["approval"]?["decided_from"], .string("10.0.0.5"))
        XCTAssertEqual(run["steps"]?.arrayValue?.first?["evidence"]?.arrayValue?.last,
                       .object(["value_name": .string("used_percent"), "value": .number(97), "expected": .string("< 90"), "holds": .bool(false)]))
        XCTAssertEqual(json["stages"]?.arrayValue?.map { $0["seconds_since_previous"] ?? .null }.map(\.doubleValue),
                       [0, 2, 3, 385, 10, 200])
        XCTAssertEqual(json["sops"], .array([.object(["name": .string("disk-cleanup"), "version": .number(3)])]))
        let topKeys = text.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map { $0.split(separator: "\"")[1] }
        XCTAssertEqual(topKeys, topKeys.sorted(), "keys are sorted")
        XCTAssertEqual(text, PostmortemRenderer(timeline).json(), "the same incident gives the same text")
    }

    func testRedactionMasksSecretsEverywhereTheyCanHide() {
        let secret = "hunter2-super-secret-token"
        var leaky = timeline
        leaky.alerts[0].title = "Disk full, token \(secret)"
        leaky.executions[0].approval?.decisionReason = "checked with \(secret)"
        leaky.executions[0].steps[1].result = .object(["summary": .string("used \(secret.prefix(12)) to log in")])
        leaky.deliveries[1].attempts[0].error = "bad token \(secret)"
        leaky.audit[0].message = "decided using \(secret)"
        let redacted = leaky.redacted(by: SecretRedactor(secrets: [secret]))
        for text in [PostmortemRenderer(redacted).markdown(), PostmortemRenderer(redacted).json()] {
            XCTAssertFalse(text.contains("hunter2-s"), text)
            XCTAssertTrue(text.contains(SecretRedactor.mask))
        }
    }

    func testEvidenceReadsResultsRecordedWithAndWithoutExpectations() {
        let old = IncidentStep(phase: .diagnosis, stepID: "failed_jobs", attempt: 0, status: .succeeded,
                               result: .object(["values": .object(["failed": .number(3)]), "verdict": .string("failed")]),
                               startedAt: IncidentFixtures.start)
        XCTAssertEqual(old.evidence, [CheckEvidence(valueName: "failed", value: .number(3))])
        XCTAssertEqual(old.summary, "failed 3")
        let broken = IncidentStep(phase: .verification, stepID: "api", attempt: 1, status: .failed,
                                  result: .object(["error": .string("connection refused"), "verdict": .string("error")]),
                                  startedAt: IncidentFixtures.start)
        XCTAssertEqual(broken.summary, "error: connection refused")
        XCTAssertEqual(broken.outcome, "error")
    }

    func testExpectationsReadAsOperatorsAndAreRecordedWithWhetherTheyHeld() {
        let texts = [Comparison.eq(.number(0)), .ne(.string("down")), .lt(500), .lte(1.5), .gt(0), .gte(1), .contains("ok"),
                     .matches("^2"), .oneOf([.number(200), .number(204)])].map(\.text)
        XCTAssertEqual(texts, ["= 0", "≠ \"down\"", "< 500", "≤ 1.5", "> 0", "≥ 1", "contains \"ok\"", "matches /^2/", "one of 200, 204"])
        XCTAssertEqual(Expectation([.gte(200), .lt(400)]).text, "≥ 200 and < 400")
        let step = StepSpec(id: "errors", name: "Error rate", type: .metric, expect: ["error_pct": Expectation([.lt(1)])])
        XCTAssertEqual(step.expectationRecord(for: ["error_pct": .number(2.99)]), [
            "name": .string("Error rate"),
            "expect": .object(["error_pct": .object(["expected": .string("< 1"), "holds": .bool(false)])]),
        ])
        XCTAssertEqual(step.expectationRecord(for: [:])["expect"]?["error_pct"]?["holds"], .bool(false), "a missing value does not hold")
    }

    func testEveryDecisionWordReadsBack() {
        for decision in [Decision.autoFix(verifyHard: false), .autoFix(verifyHard: true), .safeFixThenEscalate, .requestApproval,
                         .escalate, .diagnoseOnly] {
            XCTAssertEqual(Decision(word: decision.word), decision)
        }
        XCTAssertNil(Decision(word: "maybe"))
    }
}
