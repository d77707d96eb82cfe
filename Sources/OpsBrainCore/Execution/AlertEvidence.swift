import Foundation

/// What verification learned from the alert itself, and whether that lets a fix pass.
///
/// The SOP's verification steps check the symptom; the alert is the independent witness. A
/// source that reports resolves (Alertmanager, Grafana, a probe) must say the problem is gone
/// within a bound, and so must any source when the decision asked for a hard verification.
/// Sources that never re-check (a generic webhook, an app's row) leave the verdict to the SOP's
/// checks, and the note says so. An alert a person resolved by hand never lets a fix pass: the
/// source did not confirm it, and a person's hand was on the problem.
public enum AlertEvidence: Sendable, Equatable {
    /// A manual run or a dry run: no alert to ask.
    case noAlert
    case resolved(source: String)
    /// A person resolved the alert by hand before the fix was verified; the run ends without a verdict.
    case resolvedByHand(by: String, reason: String)
    /// A probe's check, run again now, passed.
    case ownCheckPassed(probe: String)
    /// The source has not resolved yet; verification looks again at `until` or on the resolve.
    case awaitingResolve(source: String, until: Date)
    /// The bound ran out with the alert still firing (or the probe's check still failing).
    case notResolvedInTime(source: String, bound: Duration, probe: String?)
    /// The source never re-checks; the SOP's own checks decide.
    case notReported(source: String)
    /// The SOP's verification does not ask for the alert (`rerun_alert_check: false`).
    case notRequired

    /// Sources that send a resolve when their condition clears.
    public static let resolvingSources: Set<String> = ["alertmanager", "grafana", "probe"]

    /// Judges the alert's part of a verification.
    ///
    /// - Parameters:
    ///   - reading: what the alert says now (nil without an alert).
    ///   - probePassed: the alert's probe check run again now (nil when it has none).
    ///   - required: the SOP re-checks the alert, or the decision asked for a hard verification.
    ///   - hard: the decision asked for a hard verification (every source must resolve).
    ///   - deadline: the end of the bound (fix finished + wait_before + engine.resolve_wait).
    public static func judge(source: String, reading: AlertReading?, probe: String?, probePassed: Bool?, required: Bool,
                             hard: Bool, now: Date, deadline: Date, bound: Duration) -> AlertEvidence {
        switch reading {
        case nil: return .noAlert
        case .resolvedByHand(let person, let reason): return .resolvedByHand(by: person, reason: reason)
        case .resolved: return .resolved(source: source)
        case .firing: break
        }
        guard required else { return .notRequired }
        if let probe, probePassed == true { return .ownCheckPassed(probe: probe) }
        guard hard || resolvingSources.contains(source) else { return .notReported(source: source) }
        if now < deadline { return .awaitingResolve(source: source, until: deadline) }
        return .notResolvedInTime(source: source, bound: bound, probe: probePassed == false ? probe : nil)
    }

    /// Whether the fix may pass on this evidence; nil while it is still awaited.
    public var passes: Bool? {
        switch self {
        case .noAlert, .resolved, .ownCheckPassed, .notReported, .notRequired: return true
        case .awaitingResolve: return nil
        case .notResolvedInTime, .resolvedByHand: return false
        }
    }

    /// One line for the audit trail and the outcome card.
    public var note: String {
        switch self {
        case .noAlert: return "no alert to re-check"
        case .resolved(let source): return "the alert has resolved (\(source))"
        case .resolvedByHand(let person, let reason):
            return "\(person) resolved the alert by hand (\(reason)); its source never confirmed the fix"
        case .ownCheckPassed(let probe): return "the alert's own check passes again (probe \(probe))"
        case .awaitingResolve(let source, let until):
            return "waiting for \(source) to resolve the alert (until \(Self.clock(until)) UTC)"
        case .notResolvedInTime(let source, let bound, let probe):
            return (probe.map { "the alert's own check still fails (probe \($0))" } ?? "\(source) did not resolve the alert")
                + " within \(DurationSyntax.format(bound))"
        case .notReported(let source):
            return "the SOP's checks decide: \(source) alerts are not re-checked by their source"
        case .notRequired: return "the SOP does not re-check the alert (rerun_alert_check: false)"
        }
    }

    /// A time of day in UTC, as notes show it.
    static func clock(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: date)
    }
}
