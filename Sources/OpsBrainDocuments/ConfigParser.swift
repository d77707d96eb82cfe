import OpsBrainCore
import Yams

/// Parses `opsbrain.yaml`, naming the file, line and key of every mistake.
public enum ConfigParser {
    /// The problems found, when the file cannot be used.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var issues: [DocumentIssue]

        public init(issues: [DocumentIssue]) {
            self.issues = issues.sorted { $0.line < $1.line }
        }

        public var description: String { issues.map(\.description).joined(separator: "\n") }
    }

    static let topLevelKeys: Set<String> = ["database", "engine", "targets", "probes", "notifications", "llm", "report", "intake", "console",
                                            "sop_parameters"]

    /// Parses config text from `path` (used in messages only).
    public static func parse(_ text: String, path: String) throws -> OpsBrainConfig {
        let issues = IssueCollector(file: path)
        var config = OpsBrainConfig(sourcePath: path)
        guard let node = YAMLText.compose(text, lineOffset: 0, issues: issues) else {
            if issues.hasErrors { throw Failure(issues: issues.issues) }
            return config
        }
        let root = YAMLField(node: node, path: "", lineOffset: 0, issues: issues)
        if let fields = root.mapping(allowed: topLevelKeys) {
            readDatabase(fields["database"], into: &config)
            readEngine(fields["engine"], into: &config)
            config.targets = readTargets(fields["targets"])
            if let probes = fields["probes"] { config.probes = ProbeParser(issues: issues, targets: config.targets).read(probes) }
            if let notifications = fields["notifications"] { config.notifications = notifications.json() }
            config.sopParameters = readSOPParameters(fields["sop_parameters"], file: path)
            for (target, values) in config.sopParameters.targets.sorted(by: { $0.key < $1.key }) where config.targets[target] == nil {
                issues.error(values.line, "key 'sop_parameters.targets.\(target)': there is no target '\(target)' under targets:")
            }
        }
        if issues.hasErrors { throw Failure(issues: issues.issues) }
        return config
    }

    private static func readDatabase(_ field: YAMLField?, into config: inout OpsBrainConfig) {
        guard let field, case .mapping = field.node, let fields = field.mapping(allowed: ["url", "url_env"]) else { return }
        config.database.url = fields["url"]?.string()
        config.database.urlEnv = fields["url_env"]?.string()
    }

    private static func readEngine(_ field: YAMLField?, into config: inout OpsBrainConfig) {
        guard let fields = field?.mapping(allowed: ["mode", "sops_dir", "listen", "api_token_env", "auto_fix_budget_per_hour",
                                                    "circuit_breaker_failures", "quarantine_retention", "repeat_limit",
                                                    "approval_ttl", "approval_expiry", "resolve_wait", "concurrency"]) else { return }
        if let workers = fields["concurrency"]?.int(in: 1...256) { config.engine.concurrency = workers }
        if let wait = fields["resolve_wait"]?.duration(max: .seconds(86400)) { config.engine.resolveWait = wait }
        if let limit = fields["repeat_limit"] { readRepeatLimit(limit, into: &config) }
        if let ttl = fields["approval_ttl"]?.duration(max: .seconds(7 * 86400)) { config.engine.approvalTTL = ttl }
        if let action = fields["approval_expiry"]?.choice(ApprovalExpiryAction.self) { config.engine.approvalExpiry = action }
        if let retention = fields["quarantine_retention"]?.duration(max: .seconds(90 * 86400)) { config.engine.quarantineRetention = retention }
        if let mode = fields["mode"]?.choice(EngineMode.self) { config.engine.mode = mode }
        if let directory = fields["sops_dir"]?.string() { config.engine.sopsDirectory = directory }
        if let budget = fields["auto_fix_budget_per_hour"]?.int(in: 0...10_000) { config.engine.autoFixBudgetPerHour = budget }
        if let failures = fields["circuit_breaker_failures"]?.int(in: 1...100) { config.engine.circuitBreakerFailures = failures }
        if let listen = fields["listen"]?.string() { config.engine.listen = listen }
        if let token = fields["api_token_env"]?.string() { config.engine.apiTokenEnv = token }
    }

    /// `repeat_limit: {fixes: 3, window: 1h}`; `fixes: 0` turns the limit off.
    private static func readRepeatLimit(_ field: YAMLField, into config: inout OpsBrainConfig) {
        guard let fields = field.mapping(allowed: ["fixes", "window"]) else { return }
        if let fixes = fields["fixes"]?.int(in: 0...100) { config.engine.repeatLimit.fixes = fixes }
        guard let windowField = fields["window"], let window = windowField.duration(max: .seconds(7 * 86400)) else { return }
        if window < .seconds(60) {
            field.issues.error(windowField.line, "key '\(windowField.path)': the window must be at least 1m")
        } else {
            config.engine.repeatLimit.windowMinutes = Int(window.components.seconds / 60)
        }
    }

    private static func readTargets(_ field: YAMLField?) -> [String: TargetDefinition] {
        guard let fields = field?.mapping() else { return [:] }
        var targets: [String: TargetDefinition] = [:]
        for (name, targetField) in fields {
            if let target = readTarget(name: name, targetField) { targets[name] = target }
        }
        return targets
    }

    private static func readTarget(name: String, _ field: YAMLField) -> TargetDefinition? {
        guard case .mapping = field.node else { _ = field.mapping(); return nil }
        guard let kind = field.mapping()?["type"]?.choice(TargetKind.self) else {
            if field.mapping()?["type"] == nil { field.issues.error(field.line, "key '\(field.path).type' is missing") }
            return nil
        }
        guard let fields = field.mapping(allowed: kind.allowedFields.union(instanceKeys)) else { return nil }
        let own = fields.filter { !instanceKeys.contains($0.key) }
        var instances: TargetInstances?
        if fields.keys.contains(where: instanceKeys.contains) {
            guard let read = readInstances(fields, own: Set(own.keys), kind: kind, owner: field) else { return nil }
            instances = read
        } else {
            checkRequired(kind, present: Set(own.keys), at: field)
        }
        let operationClass = fields["class"]?.choice(OperationClass.self) ?? .routine
        return TargetDefinition(name: name, kind: kind, fields: own.mapValues { $0.json() }, operationClass: operationClass,
                                instances: instances)
    }

    /// Reports each group of settings a target of `kind` needs and `present` lacks.
    static func checkRequired(_ kind: TargetKind, present: Set<String>, at field: YAMLField, hint: String = "") {
        for group in kind.requiredFields where !group.contains(where: present.contains) {
            field.issues.error(field.line, "key '\(field.path)': a \(kind.rawValue) target needs '\(group.joined(separator: "' or '"))'" + hint)
        }
    }
}
