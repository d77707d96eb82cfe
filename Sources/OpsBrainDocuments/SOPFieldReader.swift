import Foundation
import OpsBrainCore

/// Turns the front matter's fields into an `SOPDefinition`, reporting every mistake with its line.
struct SOPFieldReader {
    let fields: [String: YAMLField]
    let issues: IssueCollector
    /// Lines of named items, for the validator's messages.
    var lines: [String: Int] = [:]

    init(fields: [String: YAMLField], issues: IssueCollector) {
        self.fields = fields
        self.issues = issues
    }

    mutating func read() -> SOPDefinition? {
        let name = fields["name"]?.string()
        if let name, name.range(of: "^[a-z0-9][a-z0-9-]{2,99}$", options: .regularExpression) == nil, let field = fields["name"] {
            issues.error(field.line, "key 'name': '\(name)' must be 3-100 characters of a-z, 0-9 and '-'")
        }
        lines["name"] = fields["name"]?.line
        lines["category"] = fields["category"]?.line
        lines["auto_fix"] = fields["auto_fix"]?.line
        let trigger = fields["trigger"].flatMap { readTrigger($0) }
        let diagnosis = readSteps(fields["diagnosis"], section: "diagnosis", requireOne: true)
        let fix = readFixes(fields["fix"])
        let verification = readVerification(fields["verification"], hasFixes: !fix.isEmpty)
        guard let name, let category = fields["category"]?.string(), let agent = fields["agent"]?.choice(Agent.self),
              let description = fields["description"]?.string(), let severity = fields["severity"]?.choice(Severity.self),
              let risk = fields["risk"]?.choice(RiskLevel.self), let trigger
        else { return nil }
        return SOPDefinition(
            name: name, category: category, agent: agent, description: description, severity: severity, risk: risk,
            autoFix: fields["auto_fix"]?.bool() ?? false,
            requiresApproval: fields["requires_approval"]?.bool() ?? true,
            maxExecutionsPerHour: fields["max_executions_per_hour"]?.int(in: 1...100) ?? 3,
            cooldownMinutes: fields["cooldown_minutes"]?.int(in: 0...1440) ?? 30,
            trigger: trigger, diagnosis: diagnosis, fix: fix, verification: verification,
            escalateIf: readEscalations(fields["escalate_if"]),
            notification: readNotification(fields["notification"]),
            mode: fields["mode"]?.choice(EngineMode.self))
    }

    // MARK: Trigger

    private mutating func readTrigger(_ field: YAMLField) -> TriggerRule? {
        lines["trigger"] = field.line
        guard let parts = field.mapping(allowed: ["alert_types", "title_patterns", "labels", "severity_min"]) else { return nil }
        var rule = TriggerRule()
        rule.alertTypes = parts["alert_types"]?.stringList() ?? []
        rule.titlePatterns = parts["title_patterns"]?.stringList() ?? []
        for pattern in rule.titlePatterns where !StepFieldReader.compiles(pattern) {
            issues.error(parts["title_patterns"]!.line, "key 'trigger.title_patterns': '\(pattern)' is not a valid regular expression")
        }
        for (label, text) in parts["labels"]?.stringMap() ?? [:] {
            let matcher = LabelMatcher(text: text)
            if case .matches(let pattern) = matcher, !StepFieldReader.compiles(pattern) {
                issues.error(parts["labels"]!.line, "key 'trigger.labels.\(label)': '\(pattern)' is not a valid regular expression")
            }
            rule.labels[label] = matcher
        }
        rule.severityMin = parts["severity_min"]?.choice(Severity.self)
        if rule.alertTypes.isEmpty && rule.titlePatterns.isEmpty {
            issues.error(field.line, "key 'trigger': needs 'alert_types' or 'title_patterns'")
        }
        return rule
    }

    // MARK: Steps

    private var stepReader: StepFieldReader { StepFieldReader(issues: issues) }

    private mutating func readSteps(_ field: YAMLField?, section: String, requireOne: Bool) -> [StepSpec] {
        guard let field else { return [] }
        guard let items = field.sequence() else { return [] }
        if requireOne && items.isEmpty { issues.error(field.line, "key '\(section)': needs at least one step") }
        let skippable = section == "diagnosis"
        return items.compactMap { item in
            guard let (read, extra) = stepReader.step(item, extraKeys: skippable ? ["if_skipped"] : []) else { return nil }
            var step = read
            step.skipResult = extra["if_skipped"].flatMap { skipResult($0, of: step) }
            lines["\(section).\(step.id)"] = item.line
            return step
        }
    }

    /// `if_skipped`: the values a skipped step reads as, one scalar per value the step yields.
    private func skipResult(_ field: YAMLField, of step: StepSpec) -> [String: JSONValue]? {
        guard let entries = field.mapping(), !entries.isEmpty else {
            if field.mapping() != nil { issues.error(field.line, "key '\(field.path)': name at least one value the skipped step reads as") }
            return nil
        }
        var values: [String: JSONValue] = [:]
        for (name, entry) in entries {
            guard case .scalar = entry.node else {
                issues.error(entry.line, "key '\(entry.path)': a skipped step's value is one number, string or boolean")
                continue
            }
            if let yields = step.type.yields, !yields.contains(name) {
                issues.error(entry.line, "key '\(entry.path)': a \(step.type.rawValue) step yields no '\(name)' (it yields: "
                             + yields.sorted().joined(separator: ", ") + ")")
                continue
            }
            values[name] = entry.json()
        }
        return values
    }

    // MARK: Fixes

    static let fixKeys: Set<String> = ["id", "name", "operation", "when", "class", "approval", "timeout"]

    private mutating func readFixes(_ field: YAMLField?) -> [FixOperationSpec] {
        guard let items = field?.sequence() else { return [] }
        return items.compactMap { readFix($0) }
    }

    private mutating func readFix(_ field: YAMLField) -> FixOperationSpec? {
        guard case .mapping = field.node, let raw = field.mapping() else { _ = field.mapping(); return nil }
        guard let operationField = raw["operation"], let operationName = operationField.string() else {
            if raw["operation"] == nil { issues.error(field.line, "key '\(field.path)': fix step needs an 'operation'") }
            return nil
        }
        guard let operation = OperationType(rawValue: operationName) else {
            issues.error(operationField.line, "key '\(operationField.path)': unknown operation '\(operationName)' (known: "
                         + OperationType.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            return nil
        }
        let specs = operation.descriptor.parameters
        guard let parts = field.mapping(allowed: Self.fixKeys.union(specs.map(\.name))),
              let id = stepReader.identifier(parts["id"], owner: field) else { return nil }
        lines["fix.\(id)"] = field.line
        if let approval = parts["approval"], approval.string() != "required" {
            issues.error(approval.line, "key '\(approval.path)': the only value is 'required'")
        }
        return FixOperationSpec(
            id: id, name: parts["name"]?.string() ?? id, operation: operation,
            when: parts["when"].flatMap(readCondition),
            declaredClass: parts["class"]?.choice(OperationClass.self) ?? .routine,
            approvalRequired: parts["approval"]?.string() == "required",
            timeout: parts["timeout"]?.duration(max: .seconds(600)) ?? .seconds(30),
            parameters: stepReader.parameters(parts, specs: specs, owner: field))
    }

    private func readCondition(_ field: YAMLField) -> Condition? {
        guard let text = field.string() else { return nil }
        do {
            return try Condition(parsing: text)
        } catch {
            issues.error(field.line, "key '\(field.path)': \(error)")
            return nil
        }
    }

    // MARK: Verification, escalation, notification

    private mutating func readVerification(_ field: YAMLField?, hasFixes: Bool) -> VerificationSpec {
        guard let field else {
            if hasFixes, let fix = fields["fix"] {
                issues.error(fix.line, "key 'verification' is required when 'fix' has steps")
            }
            return VerificationSpec()
        }
        lines["verification"] = field.line
        guard let parts = field.mapping(allowed: ["wait_before", "attempts", "rerun_alert_check", "steps"]) else {
            return VerificationSpec()
        }
        return VerificationSpec(
            waitBefore: parts["wait_before"]?.duration(max: .seconds(3600)) ?? .zero,
            attempts: parts["attempts"]?.int(in: 1...5) ?? 1,
            rerunAlertCheck: parts["rerun_alert_check"]?.bool() ?? true,
            steps: readSteps(parts["steps"], section: "verification", requireOne: false))
    }

    private mutating func readEscalations(_ field: YAMLField?) -> [EscalationRule] {
        guard let items = field?.sequence() else { return [] }
        return items.enumerated().compactMap { index, item in
            guard let parts = item.mapping(allowed: ["when", "reason"]) else { return nil }
            lines["escalate_if.\(index)"] = item.line
            guard let whenField = parts["when"], let reason = parts["reason"]?.string() else {
                issues.error(item.line, "key '\(item.path)': needs 'when' and 'reason'")
                return nil
            }
            return readCondition(whenField).map { EscalationRule(when: $0, reason: reason) }
        }
    }

    private func readNotification(_ field: YAMLField?) -> NotificationPolicy {
        guard let parts = field?.mapping(allowed: ["slack", "pushover", "pagerduty"]) else { return NotificationPolicy() }
        return NotificationPolicy(
            slackChannel: parts["slack"]?.string(),
            pushover: parts["pushover"]?.choice(NotificationPolicy.When.self) ?? .escalation,
            pagerduty: parts["pagerduty"]?.choice(NotificationPolicy.When.self) ?? .never)
    }
}
