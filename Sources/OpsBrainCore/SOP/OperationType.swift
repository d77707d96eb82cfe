/// The closed set of registered fix operations. Nothing else can run.
public enum OperationType: String, Sendable, CaseIterable, Codable {
    case cacheClear = "cache_clear"
    case queueRetry = "queue_retry"
    case jobRestart = "job_restart"
    case connectionRefresh = "connection_refresh"
    case logRotation = "log_rotation"
    case tempCleanup = "temp_cleanup"
    case metricsBackfill = "metrics_backfill"
    case tokenRefresh = "token_refresh"
    case poolReset = "pool_reset"
    case rateLimitReset = "rate_limit_reset"
    case quarantineRecords = "quarantine_records"
    case featureFlag = "feature_flag"
    case serviceRestart = "service_restart"
    case httpCall = "http_call"
    case alertmanagerSilence = "alertmanager_silence"
    case notify
    case escalate

    /// What the operation is: its risk, whether it can be undone, its class and parameters.
    public var descriptor: OperationDescriptor {
        switch self {
        case .cacheClear:
            return .init(risk: .low, canRollBack: true, parameters: [
                .target([.redis], required: true), .string("pattern", required: true), .integer("max_keys", 1...1_000_000)])
        case .queueRetry:
            return .init(risk: .low, canRollBack: true, parameters: [
                .target([.statement], required: true, name: "statement"), .integer("limit", 1...1_000_000)])
        case .jobRestart:
            return .init(risk: .low, canRollBack: false, parameters: [.target([.service, .command], required: true)])
        case .connectionRefresh:
            return .init(risk: .low, canRollBack: false, parameters: [.target([.http, .service], required: true), .string("path")])
        case .logRotation:
            return .init(risk: .low, canRollBack: true, parameters: [
                .target([.path], required: true), .integer("keep", 1...100), .boolean("compress")])
        case .tempCleanup:
            return .init(risk: .low, canRollBack: true, parameters: [
                .target([.path], required: true), .duration("older_than"), .string("pattern"), .duration("keep_for")])
        case .metricsBackfill:
            return .init(risk: .low, canRollBack: false, parameters: [
                .target([.statement], required: false, name: "statement"), .target([.command], required: false)])
        case .tokenRefresh:
            return .init(risk: .medium, canRollBack: false, parameters: [.target([.token], required: true)])
        case .poolReset:
            return .init(risk: .medium, canRollBack: false, parameters: [
                .target([.postgres], required: true), .choice("state", ["idle", "idle in transaction"]),
                .duration("idle_for"), .string("application_name")])
        case .rateLimitReset:
            return .init(risk: .medium, canRollBack: true, parameters: [
                .target([.redis], required: true), .string("pattern", required: true), .integer("max_keys", 1...1_000_000)])
        case .quarantineRecords:
            return .init(risk: .medium, canRollBack: true, parameters: [
                .target([.statement], required: true, name: "statement"), .integer("limit", 1...1_000_000)])
        case .featureFlag:
            return .init(risk: .medium, canRollBack: true, parameters: [
                .target([.redis], required: true), .string("key", required: true), .string("value", required: true)])
        case .serviceRestart:
            return .init(risk: .high, canRollBack: false, parameters: [.target([.service], required: true)])
        case .httpCall:
            return .init(risk: .medium, canRollBack: true, parameters: [
                .target([.http], required: true), .choice("method", ["GET", "POST", "PUT", "PATCH", "DELETE"]),
                .string("path"), .any("body"), .any("undo")])
        case .alertmanagerSilence:
            return .init(risk: .low, canRollBack: true, parameters: [
                .target([.alertmanager], required: true), .duration("duration", required: true), .stringMap("matchers"),
                .string("comment")])
        case .notify:
            return .init(risk: .low, canRollBack: false, parameters: [
                .string("message", required: true), .stringList("channels")])
        case .escalate:
            return .init(risk: .low, canRollBack: false, parameters: [
                .string("reason", required: true), .string("action")])
        }
    }

    /// True for operations that only tell people and change nothing.
    public var isCommunication: Bool { self == .notify || self == .escalate }
}

/// The declared nature of a registered operation.
public struct OperationDescriptor: Sendable, Equatable {
    public var risk: RiskLevel
    /// True when the driver can undo what it did (`http_call` only with an `undo` request).
    public var canRollBack: Bool
    /// The class every use of the operation has at least.
    public var builtInClass: OperationClass
    public var parameters: [ParameterSpec]

    public init(risk: RiskLevel, canRollBack: Bool, builtInClass: OperationClass = .routine, parameters: [ParameterSpec]) {
        self.risk = risk
        self.canRollBack = canRollBack
        self.builtInClass = builtInClass
        self.parameters = parameters
    }
}
