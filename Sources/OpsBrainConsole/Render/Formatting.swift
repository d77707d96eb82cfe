import Foundation

/// Times, durations and ages as the console writes them, in a fixed time zone.
public struct Formatting: Sendable {
    public var timeZone: TimeZone

    public init(timeZone: TimeZone = .current) { self.timeZone = timeZone }

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `14:03:07` for today, `Mar 04` otherwise (at most 8 columns).
    public func clock(_ date: Date, now: Date) -> String {
        let parts = calendar.dateComponents([.month, .day, .hour, .minute, .second], from: date)
        if calendar.isDate(date, inSameDayAs: now) {
            return String(format: "%02d:%02d:%02d", parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
        }
        return "\(Self.months[(parts.month ?? 1) - 1]) " + String(format: "%02d", parts.day ?? 0)
    }

    /// `14:03:07` for today, `Mar 04 14:03` otherwise (at most 12 columns).
    public func dayTime(_ date: Date, now: Date) -> String {
        guard !calendar.isDate(date, inSameDayAs: now) else { return clock(date, now: now) }
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return clock(date, now: now) + String(format: " %02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
    }

    /// `2026-03-04 14:03:07`.
    public func timestamp(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0,
                      parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }

    /// `850ms`, `4.2s`, `3m12s`, `2h05m`, `3d04h`.
    public static func duration(milliseconds: Int) -> String {
        if milliseconds < 1000 { return "\(max(0, milliseconds))ms" }
        let seconds = milliseconds / 1000
        if seconds < 60 { return String(format: "%.1fs", Double(milliseconds) / 1000) }
        if seconds < 3600 { return String(format: "%dm%02ds", seconds / 60, seconds % 60) }
        if seconds < 86_400 { return String(format: "%dh%02dm", seconds / 3600, seconds % 3600 / 60) }
        return String(format: "%dd%02dh", seconds / 86_400, seconds % 86_400 / 3600)
    }

    /// The time from `start` to `end` as a duration.
    public static func duration(from start: Date, to end: Date) -> String {
        duration(milliseconds: Int((end.timeIntervalSince(start) * 1000).rounded()))
    }

    /// `12s`, `5m`, `3h`, `2d`: a short age.
    public static func age(_ date: Date, now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m" }
        if seconds < 86_400 { return "\(seconds / 3600)h" }
        return "\(seconds / 86_400)d"
    }

    /// The first eight characters of an id.
    public static func shortID(_ id: UUID) -> String { String(id.uuidString.lowercased().prefix(8)) }
}
