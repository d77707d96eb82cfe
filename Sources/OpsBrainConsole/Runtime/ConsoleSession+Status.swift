import Foundation
import OpsBrainCore
import OpsBrainPostgres

extension ConsoleSession {
    /// The status bar as read now on `connection`: counts, failed notifications, preflight problems,
    /// engines and mode; the predictions too when `predict` (they change slowly).
    static func readStatus(_ before: StatusInfo, predict: Bool, connection: PostgresConnection) throws -> StatusInfo {
        var status = before
        status.counts = try ConsoleQueries(connection: connection).counts()
        status.failedNotifications = try NotificationRepository(connection: connection)
            .failedCount(from: Date().addingTimeInterval(-86400), to: Date().addingTimeInterval(60))
        status.preflightProblems = try PreflightRepository(connection: connection).count()
        if predict {
            let samples = try ReportRepository(connection: connection).samples(from: Date().addingTimeInterval(-7 * 86400), to: Date())
            status.predictions = Predictor(settings: ReportSettings()).predict(samples).map(\.message)
        }
        let engines = try EngineRegistry(connection: connection).engines().filter(\.alive)
        status.enginesAlive = engines.count
        let leader = engines.first(where: \.isLeader)
        status.leader = leader?.engineID
        status.mode = (leader ?? engines.first)?.mode
        status.databaseUp = true
        status.databaseText = connection.serverDescription
        return status
    }

    /// What was read, with what only this process knows (its local engine) kept from the live status.
    static func merged(_ read: StatusInfo, into live: StatusInfo) -> StatusInfo {
        var status = read
        status.localEngine = live.localEngine
        return status
    }
}
