import Foundation
import OpsBrainCore

/// The incident view's state: which incident (an alert's or a run's), and its timeline once read.
public struct IncidentPane: Sendable, Equatable {
    /// What the view was opened on.
    public enum Subject: Sendable, Equatable {
        case alert(UUID)
        case execution(UUID)

        /// The id, as lists show it.
        public var shortID: String {
            switch self {
            case .alert(let id), .execution(let id): return String(id.uuidString.lowercased().prefix(8))
            }
        }
    }

    public var subject: Subject?
    public var timeline: IncidentTimeline?
    /// Why the timeline could not be read.
    public var error: String?

    public init(subject: Subject? = nil) { self.subject = subject }
}
