import Foundation
import OpsBrainCore
import OpsBrainPostgres

/// The incident view's state: which incident (an alert's or a run's), and its timeline once read.
public struct IncidentPane: Sendable, Equatable {
    public var subject: IncidentSubject?
    public var timeline: IncidentTimeline?
    /// Why the timeline could not be read.
    public var error: String?

    public init(subject: IncidentSubject? = nil) { self.subject = subject }
}

extension IncidentSubject {
    /// The id, as lists show it.
    var shortID: String {
        switch self {
        case .alert(let id), .execution(let id): return String(id.uuidString.lowercased().prefix(8))
        }
    }
}
