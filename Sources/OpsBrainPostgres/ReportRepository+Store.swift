import Foundation
import OpsBrainCore

/// A stored daily report.
public struct StoredReport: Sendable {
    public var report: DailyReport
    public var text: String
    public var producedBy: String
    public var producedAt: Date
}

extension ReportRepository {
    /// Stores the report for its day inside the caller's transaction; false when that day already
    /// has one (another engine produced it first), so it is produced, and sent, once.
    public static func store(_ report: DailyReport, text: String, producedBy: String, in tx: PostgresConnection) throws -> Bool {
        try !tx.query("""
            INSERT INTO opsbrain_daily_reports (report_date, window_start, window_end, health_score, data, text, produced_by)
            VALUES ($1::date, $2, $3, $4, $5::jsonb, $6, $7) ON CONFLICT (report_date) DO NOTHING RETURNING report_date
            """, [report.reportDate, report.windowStart, report.windowEnd, report.healthScore, try report.encoded(), text, producedBy])
            .rows.isEmpty
    }

    /// True when the day (`yyyy-MM-dd`) has its report.
    public func exists(reportDate: String) throws -> Bool {
        try connection.query("SELECT 1 FROM opsbrain_daily_reports WHERE report_date = $1::date", [reportDate]).first != nil
    }

    /// The stored report of a day, or nil.
    public func load(reportDate: String) throws -> StoredReport? {
        guard let row = try connection.query("""
            SELECT data::text AS data_text, text, produced_by, produced_at FROM opsbrain_daily_reports WHERE report_date = $1::date
            """, [reportDate]).first, let data = row.string("data_text") else { return nil }
        return StoredReport(report: try DailyReport.decode(data), text: row.string("text") ?? "",
                            producedBy: row.string("produced_by") ?? "", producedAt: row.date("produced_at") ?? Date())
    }

    // MARK: Job runs

    /// Claims `job` for `period` (e.g. the learning run of week 2026-W48); false when it already ran or runs.
    public func claimJob(_ job: String, period: String, runBy: String) throws -> Bool {
        try !connection.query("""
            INSERT INTO opsbrain_job_runs (job, period, run_by) VALUES ($1, $2, $3) ON CONFLICT (job, period) DO NOTHING RETURNING job
            """, [job, period, runBy]).rows.isEmpty
    }

    /// Records how a claimed job ended.
    public func finishJob(_ job: String, period: String, summary: String) throws {
        try connection.query("UPDATE opsbrain_job_runs SET finished_at = now(), summary = $3 WHERE job = $1 AND period = $2",
                             [job, period, summary])
    }
}
