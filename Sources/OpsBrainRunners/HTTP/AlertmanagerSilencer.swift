import Foundation
import OpsBrainCore

/// Silences alerts at an Alertmanager for a person (`opsbrain alert silence`, the console): the
/// same `POST /api/v2/silences` with equality matchers and an end that the `alertmanager_silence`
/// fix sends, with the person as its author.
public struct AlertmanagerSilencer: Sendable {
    /// How long Alertmanager has to answer.
    public static let timeout: Duration = .seconds(10)

    let client: HTTPClient
    let environment: [String: String]

    /// A silencer reading the targets' `headers_env` variables from `environment`.
    public init(client: HTTPClient = HTTPClient(), environment: [String: String]) {
        self.client = client
        self.environment = environment
    }

    /// Creates a silence on the Alertmanager `target` from now for `duration`.
    ///
    /// - Throws: `StepFailure` naming the target (never its secrets) when there is nothing to
    ///   match, the target cannot be reached, or it does not answer with a silence id.
    public func silence(on target: TargetDefinition, matchers: [String: String], for duration: Duration, comment: String,
                        createdBy: String) throws -> CreatedSilence {
        guard !matchers.isEmpty else { throw StepFailure("the alert has no labels to match, so no silence can be made") }
        let endpoint = try HTTPEndpoint(target, environment: environment, client: client)
        let silence = AlertmanagerSilence(matchers: matchers, duration: duration, comment: comment, createdBy: createdBy)
        let start = Date()
        let response = try endpoint.send("POST", path: HTTPOperationDriver.silencesPath, body: silence.body(startingAt: start),
                                         timeout: Self.timeout)
        guard response.isSuccess, let id = AlertmanagerSilence.silenceID(in: response) else {
            throw StepFailure("alertmanager '\(endpoint.name)' did not create the silence: HTTP \(response.status) "
                              + endpoint.bodyText(response, limit: 200))
        }
        return CreatedSilence(id: id, endsAt: silence.end(from: start))
    }
}

/// A silence Alertmanager made: its id, when it ends, and what it matches.
public struct CreatedSilence: Sendable, Equatable {
    public var id: String
    public var endsAt: Date
}
