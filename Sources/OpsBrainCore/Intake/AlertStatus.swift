/// Where a stored alert stands (`intelligence_alerts.status`).
public enum AlertStatus: String, Sendable, CaseIterable {
    /// Its source says it is happening; only firing alerts can be acknowledged, snoozed, silenced or resolved by hand.
    case firing
    /// Its source resolved it, or a person did with a reason.
    case resolved
    /// Intake could not use it (the row's `rejection_reason` says why).
    case rejected
}
