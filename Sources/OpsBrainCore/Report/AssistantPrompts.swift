/// The LLM requests Ops Brain makes, from the seed plan's prompts, each with a strict schema.
///
/// Only facts already shown to people go in (alert fields, step results as stored, report
/// numbers): secrets were redacted before they were stored.
public enum AssistantPrompts {
    static let system = "You are the assistant of Ops Brain, a self-healing operations system. Answer only with JSON that follows the given schema. Use only the facts given; never invent numbers."

    /// The seed's SOP matcher prompt, used when the rules find several equally good SOPs.
    public static func matching(alert: AlertSnapshot, candidates: [(name: String, description: String)]) -> LLMRequest {
        let sopList = candidates.map { "- \($0.name): \($0.description)" }.joined(separator: "\n")
        let user = """
            You are an ops SOP matcher. Given an alert, identify the best matching SOP.

            ALERT:
            - Type: \(alert.alertType)
            - Title: \(alert.title)
            - Severity: \(alert.severity.rawValue)
            - Evidence: \(alert.evidence.jsonText.prefix(2000))

            AVAILABLE SOPs:
            \(sopList)

            Return JSON: { "sop_name": "...", "confidence": 0-100, "reasoning": "..." } (sop_name "none" when nothing fits)
            """
        let names = candidates.map { JSONValue.string($0.name) } + [.string("none")]
        return LLMRequest(purpose: .matching, system: system, user: user, schemaName: "sop_match", schema: object([
            "sop_name": .object(["type": .string("string"), "enum": .array(names)]),
            "confidence": integer(0...100),
            "reasoning": string(max: 600),
        ]))
    }

    /// The seed's diagnosis prompt: a root-cause summary for people, after the rules decided.
    public static func diagnosis(alertDetails: String, sopName: String, diagnosisResults: JSONValue) -> LLMRequest {
        let user = """
            You are an ops diagnostician. Analyze these symptoms and identify root cause.

            ALERT: \(alertDetails.prefix(2000))
            SOP: \(sopName)
            DIAGNOSIS STEPS RESULTS: \(diagnosisResults.jsonText.prefix(6000))

            Return JSON: { "root_cause": "...", "confidence": 0-100, "evidence": ["...", "..."], "recommended_fix": "..." }
            """
        return LLMRequest(purpose: .diagnosis, system: system, user: user, schemaName: "diagnosis_summary", schema: object([
            "root_cause": string(max: 600),
            "confidence": integer(0...100),
            "evidence": .object(["type": .string("array"), "items": string(max: 300), "maxItems": .number(8)]),
            "recommended_fix": string(max: 600),
        ]))
    }

    /// The seed's daily report prompt; the answer is a short summary put above the (unchanged) numbers.
    public static func reportProse(_ report: DailyReport) -> LLMRequest {
        let renderer = DailyReportRenderer(report)
        let fixList = report.fixes.map { "\(renderer.time($0.at)) \($0.title): \($0.actions)" }.joined(separator: "; ")
        let escalations = report.escalations.map { "\($0.title): \($0.reason) (action: \($0.action))" }.joined(separator: "; ")
        let costs = report.costs.map { "\(DailyReportRenderer.money($0)) (\($0.note))" }.joined(separator: "; ")
        let user = """
            Generate a concise ops report for the \(renderer.windowLabel.lowercased()).

            DATA:
            - Health score: \(report.healthScore)/100
            - Issues detected: \(report.stats.issuesDetected)
            - Auto-fixed: \(report.stats.autoFixed)
            - Fixed with approval: \(report.stats.fixedWithApproval ?? 0)
            - Escalated: \(report.stats.escalated)
            - Fix details: \(fixList.isEmpty ? "none" : fixList)
            - Escalations: \(escalations.isEmpty ? "none" : escalations)
            - Cost metrics: \(costs.isEmpty ? "none" : costs)
            - Predicted issues: \(report.predictions.map(\.message).joined(separator: "; ").prefix(1500))

            Format as a Slack message with emojis. Keep it scannable: at most 3 short sentences, in "summary".
            """
        return LLMRequest(purpose: .report, system: system, user: String(user.prefix(8000)), schemaName: "report_summary",
                          schema: object(["summary": string(max: 700)]), maxTokens: 300)
    }

    /// The weekly learning prompt: short improvement notes for suggestions the statistics produced.
    public static func learning(_ suggestions: [SOPSuggestion]) -> LLMRequest {
        let items = suggestions.prefix(20).map { "- id \($0.key): SOP \($0.sopName): \($0.title). \($0.detail)" }.joined(separator: "\n")
        let user = """
            Analyze failed fixes and suggest improvements to the SOP.

            Each item below is a pattern found in last week's execution statistics. For each, write one
            concrete improvement to the SOP (a diagnosis check to add, a condition or escalate_if rule,
            an operation to change), in at most two sentences. Use the item's id.

            \(items)
            """
        return LLMRequest(purpose: .learning, system: system, user: user, schemaName: "sop_learning", schema: object([
            "notes": .object(["type": .string("array"), "maxItems": .number(20), "items": object([
                "id": string(max: 200), "note": string(max: 500),
            ])]),
        ]), maxTokens: 1200)
    }

    // MARK: Schema pieces

    static func object(_ properties: [String: JSONValue]) -> JSONValue {
        .object(["type": .string("object"), "properties": .object(properties),
                 "required": .array(properties.keys.sorted().map(JSONValue.string)), "additionalProperties": .bool(false)])
    }

    static func string(max: Int) -> JSONValue {
        .object(["type": .string("string"), "maxLength": .number(Double(max))])
    }

    static func integer(_ range: ClosedRange<Int>) -> JSONValue {
        .object(["type": .string("integer"), "minimum": .number(Double(range.lowerBound)), "maximum": .number(Double(range.upperBound))])
    }
}
