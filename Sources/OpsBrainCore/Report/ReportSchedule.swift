import Foundation

/// When the daily report and the weekly learning run are due, in the report's local time.
public struct ReportSchedule: Sendable {
    public var settings: ReportSettings
    public var timeZone: TimeZone
    private var calendar: Calendar

    public init(settings: ReportSettings, timeZone: TimeZone) {
        self.settings = settings
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// The report due at `now`: today's (local) once the daily time has passed, covering the day
    /// before it (yesterday's daily time to today's). Nil before today's time.
    public func dailyReport(at now: Date) -> (date: String, start: Date, end: Date)? {
        guard let end = todayAtDailyTime(now), now >= end,
              let start = calendar.date(byAdding: .day, value: -1, to: end) else { return nil }
        return (DailyReportBuilder.day(of: end, in: timeZone), start, end)
    }

    /// The ISO week (`2026-W48`) whose learning run is due at `now`: from the configured weekday's
    /// daily time until the week ends. Nil earlier in the week.
    public func learningPeriod(at now: Date) -> String? {
        let weekday = (calendar.component(.weekday, from: now) + 5) % 7 + 1  // ISO: Monday 1 ... Sunday 7
        if weekday < settings.learningWeekday { return nil }
        if weekday == settings.learningWeekday, let time = todayAtDailyTime(now), now < time { return nil }
        let parts = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: now)
        return String(format: "%04d-W%02d", parts.yearForWeekOfYear ?? 0, parts.weekOfYear ?? 0)
    }

    private func todayAtDailyTime(_ now: Date) -> Date? {
        calendar.date(bySettingHour: settings.dailyHour, minute: settings.dailyMinute, second: 0, of: now)
    }
}
