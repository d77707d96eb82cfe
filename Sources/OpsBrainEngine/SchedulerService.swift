import Foundation
import Logging
import OpsBrainCore
import OpsBrainPostgres

/// Runs the singleton jobs (the daily report, the weekly learning) on its own thread and
/// connection, only while this engine is the leader; the stores' keys make each run happen once
/// even if leadership changes hands mid-way. LLM calls here never delay the pipeline.
public final class SchedulerService: @unchecked Sendable {
    private let conninfo: String
    private let report: SchedulerReportJob
    private let learning: SchedulerLearningJob
    private let settings: OperationsSettings
    private let model: (any LanguageModel)?
    private let isLeader: @Sendable () -> Bool
    private let logger = Logger(label: "opsbrain.scheduler")
    private let state = NSLock()
    private var stopping = false
    /// How often the thread looks at the clock.
    static let interval: TimeInterval = 30

    /// A scheduler for one engine; `isLeader` is the engine's leadership (`{ engine.isLeader }`).
    public init(conninfo: String, settings: OperationsSettings, timeZone: TimeZone, model: (any LanguageModel)?, engineID: String,
                isLeader: @escaping @Sendable () -> Bool) {
        self.conninfo = conninfo
        self.settings = settings
        self.model = model
        self.isLeader = isLeader
        report = SchedulerReportJob(settings: settings, timeZone: timeZone, producer: engineID)
        learning = SchedulerLearningJob(settings: settings, timeZone: timeZone, runner: engineID)
    }

    /// Starts the thread.
    public func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "opsbrain-scheduler"
        thread.start()
    }

    /// Asks the thread to stop after the job it is on.
    public func stop() { state.withLock { stopping = true } }

    private var shouldStop: Bool { state.withLock { stopping } }

    private func loop() {
        var connection: PostgresConnection?
        while !shouldStop {
            do {
                if connection == nil { connection = try PostgresConnection(conninfo: conninfo, applicationName: "opsbrain-scheduler") }
                if let connection, isLeader() { _ = try tick(connection, now: Date()) }
            } catch {
                logger.error("scheduled job failed", metadata: ["error": "\(error)"])
                connection?.close()
                connection = nil
            }
            for _ in 0..<Int(Self.interval * 10) where !shouldStop { Thread.sleep(forTimeInterval: 0.1) }
        }
        connection?.close()
    }

    /// Runs whatever is due at `now` (the caller checks leadership); returns what it did.
    @discardableResult
    public func tick(_ connection: PostgresConnection, now: Date) throws -> [String] {
        let assistant = SchedulerAssistant(model: model, settings: settings.llm, connection: connection, now: { now })
        var done: [String] = []
        if let produced = try report.runIfDue(connection, now: now, assistant: assistant) {
            done.append("daily report \(produced.reportDate)")
        }
        if let new = try learning.runIfDue(connection, now: now, assistant: assistant) {
            done.append("learning: \(new) new suggestions")
        }
        return done
    }
}
