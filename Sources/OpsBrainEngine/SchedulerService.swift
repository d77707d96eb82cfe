import Foundation
import Logging
import OpsBrainCore
import OpsBrainPlatform
import OpsBrainPostgres

/// Runs the singleton jobs (the daily report, the weekly learning) in its own loop and
/// connection, only while this engine is the leader; the stores' keys make each run happen once
/// even if leadership changes hands mid-way. LLM calls here never delay the pipeline.
public final class SchedulerService: Sendable {
    private let conninfo: String
    private let report: SchedulerReportJob
    private let learning: SchedulerLearningJob
    private let settings: OperationsSettings
    private let model: (any LanguageModel)?
    private let isLeader: @Sendable () -> Bool
    private let logger = Logger(label: "opsbrain.scheduler")
    /// How often the loop looks at the clock.
    static let interval: Duration = .seconds(30)

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

    /// The scheduling loop, until `stop` is set: due jobs run while this engine leads.
    public func run(until stop: StopSignal) {
        var connection: PostgresConnection?
        while !stop.isSet {
            do {
                if connection == nil { connection = try PostgresConnection(conninfo: conninfo, applicationName: "opsbrain-scheduler") }
                if let connection, isLeader() { _ = try tick(connection, now: Date()) }
            } catch {
                logger.error("scheduled job failed", metadata: ["error": "\(error)"])
                connection?.close()
                connection = nil
            }
            stop.wait(Self.interval)
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
