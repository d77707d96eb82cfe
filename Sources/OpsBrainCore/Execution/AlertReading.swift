/// What a run's alert says when verification reads it: still firing, resolved by its source, or
/// resolved by a person by hand.
///
/// Only the source's resolve is evidence that a fix worked. A person who resolves the alert by hand
/// (`opsbrain alert resolve`) closes it, but the source never said the problem went away, and the
/// person may have fixed it themselves.
public enum AlertReading: Sendable, Equatable {
    /// Its source says it is happening (or an alert that joined the run since the fix began does).
    case firing
    /// Its source resolved it.
    case resolved
    /// A person resolved it by hand, with why.
    case resolvedByHand(by: String, reason: String)
}
